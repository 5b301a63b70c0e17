package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.driver.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Limits on cgroup2, against a plain directory tree that looks like cgroupfs. The test plays the
 * kernel's part at mkdir: a new cgroup gets the interface files of the controllers its parent
 * delegates (cgroup.controllers = the parent's subtree_control), with the kernel's defaults.
 */
class CgroupLimitsTest {
    static final long MB = 1 << 20;

    @TempDir
    Path root;

    @Test
    void nomadResourcesBecomeLimits() {
        var plain = CgroupLimits.of(new Resources(500, 256, 0), 0);
        assertEquals(new CgroupLimits(500, 0, 0, 256 * MB, 0, 0), plain);
        // memory_max above memory: it is the hard limit, memory the soft one.
        assertEquals(new CgroupLimits(1000, 0, 0, 512 * MB, 256 * MB, 64), CgroupLimits.of(new Resources(1000, 256, 512), 64));
        // memory_max not above memory changes nothing.
        assertEquals(new CgroupLimits(1000, 0, 0, 256 * MB, 0, 0), CgroupLimits.of(new Resources(1000, 256, 128), 0));
        // Shares are clamped to what the kernel takes; 0 MHz asks for nothing.
        assertEquals(2, CgroupLimits.of(new Resources(1, 0, 0), 0).cpuShares());
        assertEquals(262_144, CgroupLimits.of(new Resources(400_000, 0, 0), 0).cpuShares());
        assertEquals(CgroupLimits.NONE, CgroupLimits.of(new Resources(0, 0, 0), 0));
    }

    @Test
    void sharesConvertToWeightLikeRunc() {
        assertEquals(1, CgroupLimits.weight(2));
        assertEquals(10_000, CgroupLimits.weight(262_144));
        assertEquals(39, CgroupLimits.weight(1024));
        assertEquals(19, CgroupLimits.weight(500));
        assertEquals(100, CgroupLimits.weight(0), "no shares: the kernel's default weight");
    }

    @Test
    void rejectsValuesTheKernelWould() {
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(1, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(0, 500, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(0, 50_000, 2_000_000, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(0, 0, 0, 10 * MB, 20 * MB, 0));
        assertThrows(IllegalArgumentException.class, () -> new CgroupLimits(0, 0, 0, -1, 0, 0));
    }

    @Test
    void writesLimitsUpdatesAndResetsThem() throws IOException {
        var cgroup = fakeHost("cpu memory pids").create("web");
        Path leaf = root.resolve("drover/web");
        assertEquals(leaf, cgroup.dirs().getFirst());
        // Every ancestor delegates the controllers, in one write each.
        assertEquals("+cpu +memory +pids", read(root.resolve("cgroup.subtree_control")));
        assertEquals("+cpu +memory +pids", read(root.resolve("drover/cgroup.subtree_control")));

        cgroup.apply(CgroupLimits.of(new Resources(500, 256, 0), 0));
        assertFiles(leaf, Map.of("cpu.weight", "19", "cpu.max", "max 100000", "memory.max", "268435456",
                "memory.low", "0", "memory.swap.max", "0", "pids.max", "max"));

        // A live update: memory_max, a CPU cap and a pids limit.
        cgroup.apply(CgroupLimits.of(new Resources(1000, 256, 512), 64).withCpuQuota(50_000, 200_000));
        assertFiles(leaf, Map.of("cpu.weight", "39", "cpu.max", "50000 200000", "memory.max", "536870912",
                "memory.low", "268435456", "memory.swap.max", "0", "pids.max", "64"));

        // Shrinking values must not leave the tail of the longer old ones behind.
        cgroup.apply(new CgroupLimits(2, 1_000, 1_000, 1, 0, 5));
        assertFiles(leaf, Map.of("cpu.weight", "1", "cpu.max", "1000 1000", "memory.max", "1",
                "memory.low", "0", "memory.swap.max", "0", "pids.max", "5"));

        // "None" lifts every limit again.
        cgroup.apply(CgroupLimits.NONE);
        assertFiles(leaf, Map.of("cpu.weight", "100", "cpu.max", "max 100000", "memory.max", "max",
                "memory.low", "0", "memory.swap.max", "max", "pids.max", "max"));
    }

    @Test
    void createWithLimitsAppliesThemBeforeReturning() throws IOException {
        fakeHost("cpu memory pids").create("api", new CgroupLimits(262_144, 0, 0, 0, 64 * MB, 20));
        assertFiles(root.resolve("drover/api"), Map.of("cpu.weight", "10000", "cpu.max", "max 100000",
                "memory.max", "max", "memory.low", "67108864", "memory.swap.max", "max", "pids.max", "20"));
    }

    @Test
    void aMissingControllerFailsOnlyWhenItsLimitIsAskedFor() throws IOException {
        var cgroup = fakeHost("cpu").create("batch");
        Path leaf = root.resolve("drover/batch");
        assertFalse(Files.exists(leaf.resolve("memory.max")));

        var e = assertThrows(TaskCgroup.MissingControllerException.class,
                () -> cgroup.apply(new CgroupLimits(500, 0, 0, 64 * MB, 0, 10)));
        assertTrue(e.getMessage().startsWith("cannot limit memory and pids: no memory or pids controller in cgroup2 " + leaf
                + " (controllers: cpu)"), e.getMessage());
        assertEquals("100", read(leaf.resolve("cpu.weight")), "nothing is written when a controller is missing");

        // No memory or pids limit asked for: the CPU limit alone goes through.
        cgroup.apply(new CgroupLimits(500, 0, 0, 0, 0, 0));
        assertEquals("19", read(leaf.resolve("cpu.weight")));
    }

    @Test
    void noControllersAtAllNamesTheHierarchies() throws IOException {
        var cgroup = fakeHost("").create("x");
        var e = assertThrows(TaskCgroup.MissingControllerException.class,
                () -> cgroup.apply(new CgroupLimits(0, 20_000, 0, 0, 0, 0)));
        assertEquals("cannot limit cpu: no cpu controller in cgroup2 " + root.resolve("drover/x") + " (controllers: none)",
                e.getMessage());
        cgroup.apply(CgroupLimits.NONE); // nothing asked, nothing to fail
    }

    @Test
    void readsOomKillsAndStatsFromCgroup2Files() throws IOException {
        var cgroup = fakeHost("cpu memory pids").create("stats");
        Path leaf = root.resolve("drover/stats");
        Files.writeString(leaf.resolve("memory.events"), "low 0\nhigh 0\nmax 12\noom 2\noom_kill 2\n");
        Files.writeString(leaf.resolve("cpu.stat"), "usage_usec 3000\nuser_usec 2000\nsystem_usec 1000\n"
                + "nr_periods 40\nnr_throttled 7\nthrottled_usec 5500\n");
        Files.writeString(leaf.resolve("memory.current"), "4096000\n");
        Files.writeString(leaf.resolve("memory.peak"), "8192000\n");
        Files.writeString(leaf.resolve("memory.swap.current"), "4096\n");
        Files.writeString(leaf.resolve("memory.stat"), "anon 1000000\nfile 2000000\nkernel 5\n");
        assertEquals(2, cgroup.oomKills());
        var stats = cgroup.stats();
        assertEquals(new CgroupStats.Cpu(2_000_000, 1_000_000, 7, 5_500_000), stats.cpu().orElseThrow());
        assertEquals(new CgroupStats.Memory(4_096_000, 8_192_000, 2_000_000, 4096, 1_000_000), stats.memory().orElseThrow());
    }

    /** A cgroup2 root offering {@code controllers}, as the only hierarchy. */
    private Cgroups fakeHost(String controllers) throws IOException {
        Files.writeString(root.resolve("cgroup.controllers"), controllers + "\n");
        Files.writeString(root.resolve("cgroup.subtree_control"), "");
        return new Cgroups(new CgroupV2(root, CgroupLimitsTest::kernelMkdir), null);
    }

    /** What cgroupfs puts in a new cgroup: the files of the controllers its parent enabled. */
    private static void kernelMkdir(Path dir) {
        try {
            String delegated = read(dir.getParent().resolve("cgroup.subtree_control")).replace("+", "").trim();
            var files = new LinkedHashMap<String, String>();
            files.put("cgroup.controllers", delegated + "\n");
            files.put("cgroup.subtree_control", "");
            files.put("cgroup.procs", "");
            for (String c : delegated.split("\\s+")) {
                switch (c) {
                    case "cpu" -> {
                        files.put("cpu.weight", "100");
                        files.put("cpu.max", "max 100000");
                    }
                    case "memory" -> {
                        files.put("memory.max", "max");
                        files.put("memory.low", "0");
                        files.put("memory.swap.max", "max");
                    }
                    case "pids" -> files.put("pids.max", "max");
                    default -> {}
                }
            }
            for (var f : files.entrySet()) Files.writeString(dir.resolve(f.getKey()), f.getValue());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertFiles(Path dir, Map<String, String> expected) {
        var actual = new LinkedHashMap<String, String>();
        for (String name : expected.keySet()) actual.put(name, read(dir.resolve(name)));
        assertEquals(new java.util.TreeMap<>(expected), new java.util.TreeMap<>(actual));
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
