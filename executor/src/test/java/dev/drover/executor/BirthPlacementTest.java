package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Without cgroup2 a task's first process is born in its v1 cgroups (the spawning thread joins them
 * first); with cgroup2 it is written into every hierarchy while held. In every layout it runs its
 * first instruction inside all of them. Real cgroups of this host (root, hybrid: v1 controllers and
 * cgroup2); the pure layouts are this host's hierarchies taken one kind at a time.
 */
@Timeout(60)
class BirthPlacementTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static Cgroups host;
    private static Cgroups v1only;

    @TempDir Path temp;
    private final List<TaskCgroup> cgroups = new ArrayList<>();
    private final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void prerequisites() {
        Reaper.startAsSubreaper();
        host = Cgroups.detect();
        assertTrue(Native.isRoot(), "prerequisite missing: these tests need root to create cgroups");
        assertEquals(Cgroups.Mode.HYBRID, host.mode(), "prerequisite missing: these tests need v1 controllers and cgroup2 (hybrid), found " + host);
        for (String c : CgroupV1.CONTROLLERS) {
            assertTrue(host.v1().orElseThrow().mounts().containsKey(c), "prerequisite missing: no v1 " + c + " controller (" + host + ")");
        }
        v1only = new Cgroups(null, host.v1().orElseThrow());
    }

    @BeforeEach
    void noCleanupsYet() {
        cleanups.clear();
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        cleanups.forEach(Runnable::run);
        for (var cgroup : cgroups) {
            cgroup.kill();
            long deadline = System.currentTimeMillis() + 5_000;
            while (!cgroup.pids().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            assertEquals(List.of(), cgroup.remove(), "cgroup directories left behind");
        }
    }

    private TaskCgroup create(Cgroups cgroups, String name) throws IOException {
        var cgroup = cgroups.create("unit-" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        this.cgroups.add(cgroup);
        return cgroup;
    }

    /** /proc/PID/cgroup as hierarchy (controllers, or "" for cgroup2) → path. */
    private static Map<String, String> cgroupsOf(String procCgroup) {
        var map = new LinkedHashMap<String, String>();
        procCgroup.lines().map(l -> l.split(":", 3)).filter(f -> f.length == 3).forEach(f -> map.put(f[1], f[2]));
        return map;
    }

    private static boolean inLeaf(Map<String, String> cgroups, String hierarchy, TaskCgroup cgroup) {
        return cgroups.entrySet().stream()
                .filter(e -> hierarchy.isEmpty() ? e.getKey().isEmpty() : List.of(e.getKey().split(",")).contains(hierarchy))
                .anyMatch(e -> e.getValue().endsWith("/" + Cgroups.PARENT + "/" + cgroup.leaf()));
    }

    /** Spawns `cat /proc/self/cgroup` with the task's placement; records where the held child was before its pid was written anywhere. */
    private String spawnCat(TaskCgroup cgroup, AtomicReference<Map<String, String>> whileHeld) throws Exception {
        var birth = SessionOps.joinCgroup(cgroup);
        Path out = temp.resolve("cat-" + UUID.randomUUID());
        int fd = LibC.open(out.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
        int pid;
        try {
            pid = Spawner.withTempDir().spawn(new Spawner.Request(Path.of("/bin/cat"), List.of("cat", "/proc/self/cgroup"),
                    Map.of(), temp, fd, fd), new Spawner.Placement() {
                        @Override
                        public Runnable enterThread() {
                            return birth.enterThread();
                        }

                        @Override
                        public void placeChild(int child) {
                            try {
                                whileHeld.set(cgroupsOf(Files.readString(Path.of("/proc/" + child + "/cgroup"))));
                            } catch (IOException e) {
                                throw new IllegalStateException(e);
                            }
                            birth.placeChild(child);
                        }
                    });
        } finally {
            Native.close(fd);
        }
        assertEquals(new LibC.WaitStatus(0, 0), LibC.waitExit(pid));
        Reaper.disown(pid);
        return Files.readString(out, StandardCharsets.US_ASCII);
    }

    @Test
    void withoutCgroup2TheChildIsBornInEveryV1CgroupAndRunsItsFirstInstructionThere() throws Exception {
        var cgroup = create(v1only, "born");
        var held = new AtomicReference<Map<String, String>>();
        var seen = cgroupsOf(spawnCat(cgroup, held));
        for (String c : CgroupV1.CONTROLLERS) {
            assertTrue(inLeaf(held.get(), c, cgroup), "born in the v1 " + c + " cgroup, before any pid was written: " + held.get());
            assertTrue(inLeaf(seen, c, cgroup), "cat's own view, v1 " + c + ": " + seen);
        }
        for (Path dir : cgroup.dirs()) {
            assertFalse(CgroupIO.procs(dir).contains((int) ProcessHandle.current().pid()), "none of our threads is left in " + dir);
        }
    }

    @Test
    void withCgroup2EveryHierarchyGetsThePidWhileTheChildIsHeld() throws Exception {
        var cgroup = create(host, "hybrid");
        var held = new AtomicReference<Map<String, String>>();
        var seen = cgroupsOf(spawnCat(cgroup, held));
        for (String c : CgroupV1.CONTROLLERS) {
            assertFalse(inLeaf(held.get(), c, cgroup), "the cgroup2 write pays the grace period anyway: no thread visit, v1 " + c);
            assertTrue(inLeaf(seen, c, cgroup), "cat's own view, v1 " + c + ": " + seen);
        }
        assertTrue(inLeaf(seen, "", cgroup), "in the cgroup2 leaf from its first instruction: " + seen);
    }

    @Test
    void theSpawningThreadGoesBackToWhereItCameFrom() throws Exception {
        var cgroup = create(v1only, "back");
        var before = Files.readString(Path.of("/proc/thread-self/cgroup"));
        var placement = new BirthPlacement(cgroup);
        var leave = placement.enterThread();
        Map<String, String> inside;
        try {
            inside = cgroupsOf(Files.readString(Path.of("/proc/thread-self/cgroup")));
        } finally {
            leave.run();
        }
        for (String c : CgroupV1.CONTROLLERS) assertTrue(inLeaf(inside, c, cgroup), "the thread joined v1 " + c + ": " + inside);
        assertEquals(before, Files.readString(Path.of("/proc/thread-self/cgroup")), "and left every one again");
        assertFalse(cgroupsOf(Files.readString(Path.of("/proc/self/cgroup"))).values().stream()
                .anyMatch(p -> p.endsWith(cgroup.leaf())), "the process itself never moved");
    }

    @Test
    void aPidsLimitIsLeftToThePidWriteAndStillHoldsFromTheStart() throws Exception {
        var cgroup = create(v1only, "pidsmax");
        cgroup.apply(new CgroupLimits(0, 0, 0, 0, 0, 2));
        var held = new AtomicReference<Map<String, String>>();
        var seen = cgroupsOf(spawnCat(cgroup, held));
        assertFalse(inLeaf(held.get(), "pids", cgroup), "the thread would take one of the task's 2 pids: not born there " + held.get());
        assertTrue(inLeaf(held.get(), "memory", cgroup), "the other v1 hierarchies still are " + held.get());
        for (String c : CgroupV1.CONTROLLERS) assertTrue(inLeaf(seen, c, cgroup), "cat's own view, v1 " + c + ": " + seen);
    }

    @Test
    void aHierarchyWithoutTasksFilesGetsThePidWrittenAsBefore() throws Exception {
        // A plain directory tree standing in for the v1 mounts: no `tasks`, only cgroup.procs files.
        var mounts = new LinkedHashMap<String, Path>();
        for (String c : CgroupV1.CONTROLLERS) mounts.put(c, Files.createDirectories(temp.resolve("v1").resolve(c)));
        var fake = new Cgroups(null, new CgroupV1(mounts));
        var cgroup = fake.create("plain");
        for (Path dir : cgroup.dirs()) Files.writeString(dir.resolve("cgroup.procs"), "");
        var placement = new BirthPlacement(cgroup);
        var leave = placement.enterThread();
        leave.run();
        placement.placeChild(4242);
        for (Path dir : cgroup.dirs()) assertEquals("4242", Files.readString(dir.resolve("cgroup.procs")), dir.toString());
    }

    @Test
    void pureV1AndPureCgroup2LayoutsStartTasksInsideTheirCgroups() throws Exception {
        var v2only = new Cgroups(host.v2().orElseThrow(), null);
        for (var layout : List.of(v1only, v2only)) {
            var executor = new UniversalExecutor(layout, Spawner.withTempDir());
            var task = new TaskFixture(temp);
            var state = executor.launch("layout", new ExecCommand("/bin/cat", List.of("/proc/self/cgroup"), TaskFixture.ENV, "",
                    task.taskDir.toString(), "", task.stdout.path().toString(), task.stderr.path().toString(),
                    TaskFixture.RESOURCES, task.cgroup));
            var cgroup = layout.open(task.cgroup); // exists: the launch made it
            try {
                assertEquals(0, executor.await("layout").exitCode());
                var seen = cgroupsOf(task.stdout.awaitEof(WAIT));
                if (layout == v1only) {
                    for (String c : CgroupV1.CONTROLLERS) assertTrue(inLeaf(seen, c, cgroup), "pure v1, " + c + ": " + seen);
                    assertFalse(inLeaf(seen, "", cgroup), "no cgroup2 leaf in a v1 layout: " + seen);
                } else {
                    assertTrue(inLeaf(seen, "", cgroup), "pure cgroup2: " + seen);
                    for (String c : CgroupV1.CONTROLLERS) assertFalse(inLeaf(seen, c, cgroup), "no v1 leaf in a cgroup2 layout, " + c);
                }
                assertTrue(state.pid() > 0);
            } finally {
                executor.destroy("layout");
            }
            for (Path dir : cgroup.dirs()) {
                assertFalse(Files.exists(dir), "removed on destroy: " + dir);
            }
        }
    }

    @Test
    void threadDirsFollowTheMountedRoot() {
        var v1 = new CgroupV1(Map.of("memory", Path.of("/sys/fs/cgroup/memory"), "cpu", Path.of("/sys/fs/cgroup/cpu,cpuacct"),
                "cpuacct", Path.of("/sys/fs/cgroup/cpu,cpuacct")),
                Map.of(Path.of("/sys/fs/cgroup/memory"), "/docker/abc"));
        var dirs = v1.threadDirs("""
                4:memory:/docker/abc/inner
                2:cpu,cpuacct:/system.slice
                1:name=systemd:/x
                0::/y
                """);
        assertEquals(Path.of("/sys/fs/cgroup/memory/inner"), dirs.get("memory"), "the path below the mounted sub-tree");
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice"), dirs.get("cpu"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct/system.slice"), dirs.get("cpuacct"));
        assertEquals(2 + 1, dirs.size());
        assertNull(v1.threadDirs("4:memory:/elsewhere\n").get("memory"), "outside the mounted sub-tree: no way back, so not joined");
        var roots = Cgroups.mountRoots("""
                36 25 0:31 / /sys/fs/cgroup/pids rw,nosuid shared:15 - cgroup cgroup rw,pids
                37 25 0:32 /docker/abc /sys/fs/cgroup/memory rw,nosuid shared:16 - cgroup cgroup rw,memory
                38 25 0:33 /docker/abc /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
                """);
        assertEquals(Map.of(Path.of("/sys/fs/cgroup/memory"), "/docker/abc"), roots);
    }
}
