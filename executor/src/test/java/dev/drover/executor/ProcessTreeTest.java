package dev.drover.executor;

import dev.drover.sdk.testing.ProcScan;
import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Shutdown kills whole trees, with and without cgroups, and respects the grace period. */
@Timeout(60)
class ProcessTreeTest {
    /** Grandchildren that ignore SIGTERM, one in its own session: only a tree kill gets them all. */
    static final String STUBBORN_TREE =
            "trap '' TERM; (trap '' TERM; sleep 1000) & setsid sleep 1000 & sleep 1000 & echo started; wait";

    static UniversalExecutor withCgroups;
    static UniversalExecutor withoutCgroups;

    @TempDir Path temp;
    TaskFixture task;
    final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void start() {
        Reaper.startAsSubreaper();
        withCgroups = new UniversalExecutor();
        withoutCgroups = new UniversalExecutor(Cgroups.disabled(), Spawner.withTempDir());
    }

    @BeforeEach
    void fixture() throws Exception {
        task = new TaskFixture(temp);
    }

    @AfterEach
    void cleanup() {
        cleanups.forEach(c -> {
            try {
                c.run();
            } catch (DroverException ignored) {
                // destroyed by the test already
            }
        });
    }

    private void track(UniversalExecutor executor, String id) {
        cleanups.add(() -> executor.destroy(id));
    }

    @Test
    void shutdownKillsTheWholeTreeInItsCgroup() throws Exception {
        org.junit.jupiter.api.Assertions.assertTrue(withCgroups.cgroups().available() && Native.isRoot(), "prerequisite missing: these tests need root and a mounted cgroup hierarchy");
        var state = withCgroups.launch("tree", task.sh(STUBBORN_TREE));
        track(withCgroups, "tree");
        task.stdout.awaitText("started", Duration.ofSeconds(10));
        var tree = awaitTree(() -> ProcScan.inCgroup(Cgroups.PARENT + "/" + task.cgroup), 4, ownSession(state.pid()));
        assertTrue(tree.stream().anyMatch(p -> p.pid() == state.pid()), "the main process is in the cgroup");
        assertTrue(ProcScan.cgroupLines((int) ProcessHandle.current().pid()).stream()
                .noneMatch(l -> l.endsWith("/" + task.cgroup)), "the executor stays outside the task cgroup");

        long start = System.nanoTime();
        withCgroups.shutdown("tree", "SIGTERM", 500);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 450, "the grace period was respected: " + tookMillis + " ms");

        assertTreeGone(tree);
        assertTrue(ProcScan.inCgroup(Cgroups.PARENT + "/" + task.cgroup).stream().noneMatch(p -> !p.zombie()), "cgroup empty");
        assertTrue(ProcScan.withPgid(state.pid()).isEmpty(), "process group empty");
        var exit = withCgroups.await("tree");
        assertEquals(9, exit.signal());
        assertEquals(137, exit.exitCode());

        var dirs = withCgroups.cgroups().v2().map(v2 -> v2.root().resolve(Cgroups.PARENT).resolve(task.cgroup)).orElseThrow();
        assertTrue(Files.isDirectory(dirs), "cgroup kept until destroy");
        withCgroups.destroy("tree");
        assertFalse(Files.exists(dirs), "cgroup removed on destroy");
        withCgroups.cgroups().v1().ifPresent(v1 -> v1.mounts().values().forEach(mount ->
                assertFalse(Files.exists(mount.resolve(Cgroups.PARENT).resolve(task.cgroup)), "v1 cgroup removed in " + mount)));
    }

    @Test
    void shutdownKillsTheWholeTreeWithoutCgroups() throws Exception {
        var state = withoutCgroups.launch("nocg", task.sh(STUBBORN_TREE));
        track(withoutCgroups, "nocg");
        task.stdout.awaitText("started", Duration.ofSeconds(10));
        var tree = awaitTree(() -> {
            var procs = new ArrayList<>(ProcScan.descendants(state.pid()));
            ProcScan.read(state.pid()).ifPresent(procs::add);
            return procs;
        }, 4, ownSession(state.pid()));
        withoutCgroups.shutdown("nocg", "SIGTERM", 300);
        assertTreeGone(tree);
        assertEquals(9, withoutCgroups.await("nocg").signal());
    }

    @Test
    void everyForkLandsInTheCgroupEvenRightAtStart() throws Exception {
        org.junit.jupiter.api.Assertions.assertTrue(withCgroups.cgroups().available() && Native.isRoot(), "prerequisite missing: these tests need root and a mounted cgroup hierarchy");
        // The child forks a new session as its very first act: a placement after start could miss it.
        for (int i = 0; i < 5; i++) {
            var t = new TaskFixture(temp);
            var state = withCgroups.launch("race" + i, t.sh("setsid sleep 1000 & exec sleep 1000"));
            track(withCgroups, "race" + i);
            var tree = awaitTree(() -> {
                var procs = new ArrayList<>(ProcScan.descendants(state.pid()));
                ProcScan.read(state.pid()).ifPresent(procs::add);
                return procs;
            }, 2, ownSession(state.pid()));
            var inCgroup = ProcScan.inCgroup(Cgroups.PARENT + "/" + t.cgroup).stream().map(ProcScan.Proc::pid).toList();
            for (var p : tree) assertTrue(inCgroup.contains(p.pid()), p + " is in cgroup " + t.cgroup);
            withCgroups.destroy("race" + i);
            assertTreeGone(tree);
        }
    }

    @Test
    void quickExitOnTheSignalEndsTheGraceEarly() throws Exception {
        launchOn(withCgroups, "quick", task.sh("trap 'exit 0' TERM; echo started; while :; do sleep 0.05; done"));
        task.stdout.awaitText("started", Duration.ofSeconds(10));
        long start = System.nanoTime();
        withCgroups.shutdown("quick", "SIGTERM", 10_000);
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis < 3_000, "shutdown returned once the task exited: " + tookMillis + " ms");
        var exit = withCgroups.await("quick");
        assertEquals(0, exit.exitCode());
        assertEquals(0, exit.signal());
    }

    @Test
    void defaultSignalIsSigint() throws Exception {
        launchOn(withCgroups, "int", task.sh("trap 'exit 42' INT; echo started; while :; do sleep 0.05; done"));
        task.stdout.awaitText("started", Duration.ofSeconds(10));
        withCgroups.shutdown("int", "", 5_000);
        assertEquals(42, withCgroups.await("int").exitCode());
    }

    @Test
    void zeroGraceKillsAtOnce() throws Exception {
        launchOn(withCgroups, "now", task.sh("trap 'exit 0' TERM; sleep 1000"));
        long start = System.nanoTime();
        withCgroups.shutdown("now", "SIGTERM", 0);
        assertTrue((System.nanoTime() - start) / 1_000_000 < 3_000);
        assertEquals(9, withCgroups.await("now").signal());
    }

    @Test
    void destroyAlsoKillsStragglersOfAnExitedTask() throws Exception {
        var state = launchOn(withCgroups, "daemon", task.sh("sleep 1000 & echo started"));
        assertEquals(0, withCgroups.await("daemon").exitCode());
        var left = awaitTree(() -> ProcScan.withPgid(state.pid()), 1);
        withCgroups.destroy("daemon");
        assertTreeGone(left);
        assertThrows(DroverException.class, () -> withCgroups.await("daemon"));
    }

    private dev.drover.sdk.executor.ProcessState launchOn(UniversalExecutor executor, String id,
                                                         dev.drover.sdk.executor.ExecCommand command) {
        track(executor, id);
        return executor.launch(id, command);
    }

    /** Polls until at least {@code min} live processes are found. */
    static List<ProcScan.Proc> awaitTree(java.util.function.Supplier<List<ProcScan.Proc>> scan, int min) throws InterruptedException {
        return awaitTree(scan, min, procs -> true);
    }

    /** Polls until at least {@code min} live processes are found and {@code settled} holds for them. */
    static List<ProcScan.Proc> awaitTree(java.util.function.Supplier<List<ProcScan.Proc>> scan, int min,
                                         java.util.function.Predicate<List<ProcScan.Proc>> settled) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (true) {
            var live = scan.get().stream().filter(p -> !p.zombie()).toList();
            if (live.size() >= min && settled.test(live)) return live;
            if (System.nanoTime() > deadline) fail("expected at least " + min + " processes, found " + live);
            Thread.sleep(20);
        }
    }

    /** The tree is complete once the setsid'ed grandchild really has its own session. */
    static java.util.function.Predicate<List<ProcScan.Proc>> ownSession(int taskPid) {
        return procs -> procs.stream().anyMatch(p -> p.sid() != taskPid && p.cmdline().startsWith("sleep"));
    }

    /** No process of the tree runs any more, and none lingers as a zombie once reaped. */
    static void assertTreeGone(List<ProcScan.Proc> tree) throws InterruptedException {
        var alive = tree.stream().filter(ProcScan.Proc::alive).toList();
        assertTrue(alive.isEmpty(), "still running after shutdown: " + alive);
        long deadline = System.nanoTime() + 5_000_000_000L;
        var zombies = new LinkedHashMap<Integer, ProcScan.Proc>();
        while (true) {
            zombies.clear();
            tree.stream().filter(ProcScan.Proc::exists).forEach(p -> zombies.put(p.pid(), p));
            if (zombies.isEmpty()) return;
            if (System.nanoTime() > deadline) fail("zombies left: " + zombies.values());
            Thread.sleep(50);
        }
    }
}
