package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.nativ.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Limits on this host's real cgroup v1 controllers (root only): values as the kernel reads them
 * back, live updates in the order the kernel accepts, a real OOM kill and a fork bomb held by
 * pids.max. Each task process waits on stdin until it has been moved into its cgroup.
 */
class CgroupV1LimitsTest {
    static final long MB = 1 << 20;
    static final long PAGE = 4096; // x86-64 and arm64 with 4K pages: the kernel keeps limits in pages
    static final String UNLIMITED = "9223372036854771712"; // v1's "-1", rounded down to a page

    private Cgroups host;
    private final List<Process> processes = new ArrayList<>();
    private final List<TaskCgroup> cgroups = new ArrayList<>();

    @BeforeEach
    void prerequisites() {
        assertTrue(Native.isRoot(), "prerequisite missing: these tests need root to create cgroups and set limits");
        host = Cgroups.detect();
        var v1 = host.v1().orElseThrow(() -> new AssertionError("prerequisite missing: no cgroup v1 controllers on this host (" + host + ")"));
        for (String c : List.of("cpu", "cpuacct", "memory", "pids")) {
            assertTrue(v1.mounts().containsKey(c), "prerequisite missing: no v1 " + c + " controller on this host (" + host + ")");
        }
    }

    @AfterEach
    void cleanUp() throws InterruptedException {
        for (Process p : processes) p.destroyForcibly();
        for (TaskCgroup cgroup : cgroups) {
            if (!cgroup.kill()) cgroup.pids().forEach(pid -> Native.kill(pid, Native.SIGKILL));
            long deadline = System.currentTimeMillis() + 5_000;
            while (!cgroup.pids().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(20);
            for (Process p : processes) p.waitFor(5, TimeUnit.SECONDS);
            assertEquals(List.of(), cgroup.remove(), "cgroup directories left behind, holding " + cgroup.pids());
        }
    }

    @Test
    void limitsReadBackAsWrittenAndUpdateOnARunningTask() throws Exception {
        var cgroup = create("limits");
        cgroup.apply(new CgroupLimits(512, 50_000, 100_000, 64 * MB + 100, 32 * MB, 50));
        assertEquals(String.valueOf(64 * MB + 100 - (64 * MB + 100) % PAGE), read(cgroup, "memory", "memory.limit_in_bytes"));
        assertSwapPinned(cgroup);
        assertEquals(String.valueOf(32 * MB), read(cgroup, "memory", "memory.soft_limit_in_bytes"));
        assertEquals("512", read(cgroup, "cpu", "cpu.shares"));
        assertEquals("50000", read(cgroup, "cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", read(cgroup, "cpu", "cpu.cfs_period_us"));
        assertEquals("50", read(cgroup, "pids", "pids.max"));

        var task = start(cgroup, "exec sleep 60");
        // Raising past memsw works only memsw first; lowering only the limit first.
        cgroup.apply(new CgroupLimits(1024, 0, 0, 128 * MB, 0, 100));
        assertEquals(String.valueOf(128 * MB), read(cgroup, "memory", "memory.limit_in_bytes"));
        assertSwapPinned(cgroup);
        assertEquals(UNLIMITED, read(cgroup, "memory", "memory.soft_limit_in_bytes"));
        assertEquals("1024", read(cgroup, "cpu", "cpu.shares"));
        assertEquals("-1", read(cgroup, "cpu", "cpu.cfs_quota_us"));
        assertEquals("100", read(cgroup, "pids", "pids.max"));

        cgroup.apply(new CgroupLimits(2, 20_000, 50_000, 48 * MB, 16 * MB, 30));
        assertEquals(String.valueOf(48 * MB), read(cgroup, "memory", "memory.limit_in_bytes"));
        assertSwapPinned(cgroup);
        assertEquals(String.valueOf(16 * MB), read(cgroup, "memory", "memory.soft_limit_in_bytes"));
        assertEquals("2", read(cgroup, "cpu", "cpu.shares"));
        assertEquals("20000", read(cgroup, "cpu", "cpu.cfs_quota_us"));
        assertEquals("50000", read(cgroup, "cpu", "cpu.cfs_period_us"));
        assertEquals("30", read(cgroup, "pids", "pids.max"));

        cgroup.apply(CgroupLimits.NONE);
        assertEquals(UNLIMITED, read(cgroup, "memory", "memory.limit_in_bytes"));
        assertSwapPinned(cgroup);
        assertEquals("1024", read(cgroup, "cpu", "cpu.shares"));
        assertEquals("-1", read(cgroup, "cpu", "cpu.cfs_quota_us"));
        assertEquals("100000", read(cgroup, "cpu", "cpu.cfs_period_us"));
        assertEquals("max", read(cgroup, "pids", "pids.max"));

        assertTrue(task.isAlive(), "the task survives its updates");
        assertTrue(cgroup.pids().contains((int) task.pid()));
    }

    @Test
    void theOomKillerStrikesAboveTheHardLimitAndIsCounted() throws Exception {
        var cgroup = create("oom");
        cgroup.apply(new CgroupLimits(0, 0, 0, 32 * MB, 0, 0));
        assertEquals(0, cgroup.oomKills());
        // perl (Essential on Debian) fills a 200 MB string: every page is touched, so charged.
        var task = start(cgroup, "exec perl -e '$x = \"z\" x (200 << 20); exit 3'");
        assertTrue(task.waitFor(30, TimeUnit.SECONDS), "still running after 30 s");
        assertEquals(128 + Native.SIGKILL, task.exitValue(), "exit 3 means the 200 MB fit under a 32 MB limit; 137 is SIGKILL");
        assertTrue(cgroup.oomKills() >= 1, "the kill was counted in memory.oom_control: " + read(cgroup, "memory", "memory.oom_control"));
        var memory = cgroup.stats().memory().orElseThrow();
        assertTrue(memory.maxUsage() > 16 * MB && memory.maxUsage() <= 32 * MB, "peak " + memory.maxUsage() + " within the limit");
    }

    @Test
    void aForkBombStopsAtPidsMax() throws Exception {
        var cgroup = create("forks");
        cgroup.apply(new CgroupLimits(0, 0, 0, 0, 0, 20));
        Path pids = dir(cgroup, "pids");
        var task = start(cgroup, "for i in $(seq 100); do sleep 5 & done; wait");
        int most = 0;
        long deadline = System.currentTimeMillis() + 3_000;
        while (System.currentTimeMillis() < deadline) {
            most = Math.max(most, CgroupIO.procs(pids).size());
            most = Math.max(most, (int) CgroupIO.readLong(pids.resolve("pids.current")).orElse(0));
            Thread.sleep(2);
        }
        long refused = CgroupIO.readKeyed(pids.resolve("pids.events")).getOrDefault("max", 0L);
        assertTrue(refused > 0, "the kernel refused no fork: pids.events says " + read(cgroup, "pids", "pids.events"));
        assertTrue(most <= 20, "the cgroup held " + most + " processes, more than pids.max 20");
        assertTrue(most >= 15, "the bomb only reached " + most + " processes: did it run inside the cgroup?");
        assertTrue(task.waitFor(10, TimeUnit.SECONDS));
    }

    @Test
    void aCpuQuotaThrottlesAndStatsShowIt() throws Exception {
        var cgroup = create("cpu");
        cgroup.apply(new CgroupLimits(0, 10_000, 100_000, 0, 0, 0)); // 10% of one CPU
        var task = start(cgroup, "exec timeout 1 sh -c 'while :; do :; done'");
        assertTrue(task.waitFor(10, TimeUnit.SECONDS));
        var cpu = cgroup.stats().cpu().orElseThrow();
        long used = cpu.userNanos() + cpu.systemNanos();
        assertTrue(used > 20_000_000, "the loop ran: " + cpu);
        assertTrue(used < 400_000_000, "10% of a second is about 100 ms, used " + used / 1_000_000 + " ms: " + cpu);
        assertTrue(cpu.throttledPeriods() > 0 && cpu.throttledNanos() > 0, "throttling shows in the stats: " + cpu);
    }

    @Test
    void aLimitWithoutItsControllerFailsClearlyAndLeavesNoLeaf() throws Exception {
        var v2 = host.v2().orElseThrow(() -> new AssertionError("prerequisite missing: this test needs the hybrid cgroup2 mount"));
        assertFalse(CgroupV2.controllers(v2.root()).contains("memory"),
                "prerequisite missing: this test needs a cgroup2 hierarchy without the memory controller (hybrid)");
        var unifiedOnly = new Cgroups(v2, null);
        String leaf = "unit-missing-" + UUID.randomUUID().toString().substring(0, 8);
        var e = assertThrows(TaskCgroup.MissingControllerException.class,
                () -> unifiedOnly.create(leaf, new CgroupLimits(0, 0, 0, 64 * MB, 0, 0)));
        Path dir = v2.root().resolve(Cgroups.PARENT).resolve(leaf);
        assertTrue(e.getMessage().startsWith("cannot limit memory: no memory controller in cgroup2 " + dir), e.getMessage());
        assertFalse(Files.exists(dir), "the half-made leaf is removed");
        // No limit asked for, no controller needed.
        var cgroup = unifiedOnly.create(leaf, CgroupLimits.NONE);
        cgroups.add(cgroup);
    }

    private TaskCgroup create(String name) throws IOException {
        var cgroup = host.create("unit-" + name + "-" + UUID.randomUUID().toString().substring(0, 8));
        cgroups.add(cgroup);
        return cgroup;
    }

    /** Starts {@code script} under sh once the shell has been moved into the cgroup. */
    private Process start(TaskCgroup cgroup, String script) throws IOException {
        var process = new ProcessBuilder("sh", "-c", "read go; " + script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(process);
        cgroup.add((int) process.pid());
        assertEquals(Set.of((int) process.pid()), cgroup.pids());
        try (var in = process.getOutputStream()) {
            in.write("go\n".getBytes());
        }
        return process;
    }

    private void assertSwapPinned(TaskCgroup cgroup) {
        Path memsw = dir(cgroup, "memory").resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            assertEquals(read(cgroup, "memory", "memory.limit_in_bytes"), read(cgroup, "memory", "memory.memsw.limit_in_bytes"));
        }
    }

    private Path dir(TaskCgroup cgroup, String controller) {
        return host.v1().orElseThrow().mounts().get(controller).resolve(Cgroups.PARENT).resolve(cgroup.leaf());
    }

    private String read(TaskCgroup cgroup, String controller, String file) {
        return CgroupIO.read(dir(cgroup, controller).resolve(file)).orElseThrow().trim();
    }
}
