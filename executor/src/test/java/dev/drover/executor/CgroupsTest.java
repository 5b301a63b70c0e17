package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.nativ.Native;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CgroupsTest {
    static final String HYBRID = """
            sysfs /sys sysfs rw,nosuid,nodev,noexec,relatime 0 0
            tmpfs /sys/fs/cgroup tmpfs ro,nosuid,nodev,noexec,mode=755 0 0
            cgroup2 /sys/fs/cgroup/unified cgroup2 rw,nosuid,nodev,noexec,relatime 0 0
            cgroup /sys/fs/cgroup/systemd cgroup rw,nosuid,nodev,noexec,relatime,xattr,name=systemd 0 0
            cgroup /sys/fs/cgroup/cpu,cpuacct cgroup rw,nosuid,nodev,noexec,relatime,cpu,cpuacct 0 0
            cgroup /sys/fs/cgroup/memory cgroup rw,nosuid,nodev,noexec,relatime,memory 0 0
            cgroup /sys/fs/cgroup/pids cgroup rw,nosuid,nodev,noexec,relatime,pids 0 0
            """;

    @Test
    void detectsHybridLayout() {
        var cgroups = Cgroups.parse(HYBRID);
        assertEquals(Cgroups.Mode.HYBRID, cgroups.mode());
        assertEquals(Path.of("/sys/fs/cgroup/unified"), cgroups.v2().orElseThrow().root());
        var mounts = cgroups.v1().orElseThrow().mounts();
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), mounts.get("cpuacct"));
        assertEquals(Path.of("/sys/fs/cgroup/cpu,cpuacct"), mounts.get("cpu"), "co-mounted: one directory for both");
        assertEquals(Path.of("/sys/fs/cgroup/memory"), mounts.get("memory"));
        assertEquals(Path.of("/sys/fs/cgroup/pids"), mounts.get("pids"));
    }

    @Test
    void detectsPureV2AndV1AndNone() {
        var v2 = Cgroups.parse("cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime,nsdelegate 0 0\n");
        assertEquals(Cgroups.Mode.V2, v2.mode());
        assertEquals(Path.of("/sys/fs/cgroup"), v2.v2().orElseThrow().root());
        var v1 = Cgroups.parse("cgroup /sys/fs/cgroup/pids cgroup rw,pids 0 0\ncgroup /sys/fs/cgroup/memory cgroup rw,memory 0 0\n");
        assertEquals(Cgroups.Mode.V1, v1.mode());
        assertEquals(Cgroups.Mode.NONE, Cgroups.parse("proc /proc proc rw 0 0\n").mode());
        assertFalse(Cgroups.disabled().available());
    }

    @Test
    void leafNamesAreSinglePathElements() {
        Cgroups.validateLeaf("alloc-1.web");
        for (String bad : new String[] {"", "a/b", "..", ".", "cgroup.procs"}) {
            assertThrows(IllegalArgumentException.class, () -> Cgroups.validateLeaf(bad), bad);
        }
    }

    @Test
    void createsKillsAndRemovesALeafOnThisHost() throws Exception {
        var cgroups = Cgroups.detect();
        org.junit.jupiter.api.Assertions.assertTrue(cgroups.available() && Native.isRoot(), "prerequisite missing: these tests need root and a mounted cgroup hierarchy");
        var cgroup = cgroups.create("unit-" + UUID.randomUUID().toString().substring(0, 8));
        try {
            assertTrue(cgroup.pids().isEmpty());
            for (Path dir : cgroup.dirs()) assertTrue(Files.isDirectory(dir), dir.toString());
            var stats = cgroup.stats();
            assertTrue(stats.cpu().isPresent(), "cpu accounting from cpuacct or cpu.stat");
            assertEquals(0, cgroup.oomKills());
        } finally {
            assertTrue(cgroup.remove().isEmpty());
        }
        for (Path dir : cgroup.dirs()) assertFalse(Files.exists(dir), dir.toString());
    }
}
