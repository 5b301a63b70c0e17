package dev.drover.agent.task;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The warm-up finds our own cgroup2 cgroup, writes into it without moving us, and stays off where it cannot. */
@Timeout(30)
class CgroupLockWarmupTest {
    @TempDir Path temp;

    @Test
    void writesOurOwnPidIntoTheCgroupWeAreInAndMovesNothing() throws Exception {
        var warmup = CgroupLockWarmup.detect();
        assertNotNull(warmup.target(), "prerequisite missing: root and a cgroup2 mount (/proc/self/mounts) are needed");
        String own = Files.readString(Path.of("/proc/self/cgroup"));
        assertTrue(own.lines().anyMatch(l -> l.startsWith("0::")));
        warmup.soon();
        long deadline = System.currentTimeMillis() + 10_000;
        while (warmup.writes() == 0 && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertEquals(1, warmup.writes(), "one write into " + warmup.target());
        assertEquals(own, Files.readString(Path.of("/proc/self/cgroup")), "a migration that moved nothing");
    }

    @Test
    void pointsAtTheCgroupOfTheCgroup2Line() {
        var mounts = "cgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\ncgroup2 " + temp + " cgroup2 rw 0 0\n";
        assertSame(CgroupLockWarmup.OFF, CgroupLockWarmup.forHost(mounts, "4:memory:/a\n0::/svc/agent\n"),
                "no such cgroup.procs to write: off");
        assertSame(CgroupLockWarmup.OFF, CgroupLockWarmup.forHost("cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\n", "0::/\n"),
                "pure v1: the executor's placement takes no lock there");
        assertSame(CgroupLockWarmup.OFF, CgroupLockWarmup.forHost(mounts, "4:memory:/a\n"), "no cgroup2 line");
    }

    @Test
    void aCgroupProcsItCannotWriteTurnsItOff() throws Exception {
        Path dir = Files.createDirectories(temp.resolve("svc"));
        Path procs = Files.writeString(dir.resolve("cgroup.procs"), "");
        var warmup = CgroupLockWarmup.forHost("cgroup2 " + temp + " cgroup2 rw 0 0\n", "0::/svc\n");
        assertEquals(procs, warmup.target());
        Files.delete(procs);
        Files.createDirectory(procs); // writing a directory fails, as a cgroup.procs we may not write would
        warmup.soon();
        long deadline = System.currentTimeMillis() + 10_000;
        while (!warmup.isOff() && System.currentTimeMillis() < deadline) Thread.sleep(5);
        assertTrue(warmup.isOff(), "a failed write turns the warm-up off");
        warmup.soon();
        Thread.sleep(50);
        assertEquals(0, warmup.writes());
    }
}
