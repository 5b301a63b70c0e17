package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The legacy per-controller hierarchies the executor joins, each at {@code <mount>/drover/<leaf>}:
 * {@code pids} (to list the tree, pids.max), {@code memory} (stats, OOM kills, limits),
 * {@code cpuacct} (CPU time) and {@code cpu} (shares, CFS quota, throttling). The two CPU ones are
 * often co-mounted, so they may share a directory.
 */
public final class CgroupV1 {
    /** The controllers joined, in the order their directories are created. */
    public static final String[] CONTROLLERS = {"pids", "memory", "cpuacct", "cpu"};
    private final Map<String, Path> mounts;
    private final Map<Path, String> roots; // mount point → the cgroup it shows (mountinfo's root), when not "/"

    /** @param mounts controller name → mount point, for the controllers in {@link #CONTROLLERS} */
    public CgroupV1(Map<String, Path> mounts) {
        this(mounts, Map.of());
    }

    /**
     * @param roots mount point → the hierarchy path mounted there (field 4 of /proc/self/mountinfo),
     *              for mounts of a sub-tree such as a container's; missing means "/"
     */
    CgroupV1(Map<String, Path> mounts, Map<Path, String> roots) {
        this.mounts = Map.copyOf(mounts);
        this.roots = Map.copyOf(roots);
    }

    public Map<String, Path> mounts() {
        return mounts;
    }

    /** Creates (or reuses) the leaf in every joined hierarchy; controller → directory. */
    Map<String, Path> create(String leaf) throws IOException {
        var dirs = new LinkedHashMap<String, Path>();
        for (String c : CONTROLLERS) {
            Path mount = mounts.get(c);
            if (mount == null) continue;
            Path dir = mount.resolve(Cgroups.PARENT).resolve(leaf);
            Files.createDirectories(dir);
            dirs.put(c, dir);
        }
        return dirs;
    }

    /**
     * The directories the calling thread is in, controller → directory, from /proc/thread-self/cgroup
     * ("4:memory:/path", "2:cpu,cpuacct:/path"). A controller whose path lies outside its mount (a
     * sub-tree mounted in a container) is left out.
     */
    Map<String, Path> threadDirs() throws IOException {
        return threadDirs(Files.readString(Path.of("/proc/thread-self/cgroup")));
    }

    Map<String, Path> threadDirs(String procCgroup) {
        var dirs = new LinkedHashMap<String, Path>();
        for (String line : procCgroup.lines().toList()) {
            String[] f = line.split(":", 3);
            if (f.length < 3 || f[1].isEmpty()) continue; // "0::/path" is cgroup2
            for (String controller : f[1].split(",")) {
                Path mount = mounts.get(controller);
                if (mount == null) continue;
                String root = roots.getOrDefault(mount, "/");
                if (!(f[2] + "/").startsWith(root.endsWith("/") ? root : root + "/")) continue;
                String below = f[2].substring(root.length()).replaceFirst("^/+", "");
                dirs.put(controller, below.isEmpty() ? mount : mount.resolve(below));
            }
        }
        return dirs;
    }

    /** cpuacct.usage_user/_sys are in nanoseconds (Linux ≥ 4.7); cpuacct.stat in clock ticks before. */
    static Optional<CgroupStats.Cpu> cpu(Path cpuacct) {
        var user = CgroupIO.readLong(cpuacct.resolve("cpuacct.usage_user"));
        var sys = CgroupIO.readLong(cpuacct.resolve("cpuacct.usage_sys"));
        if (user.isPresent() && sys.isPresent()) {
            return Optional.of(new CgroupStats.Cpu(user.getAsLong(), sys.getAsLong(), 0, 0));
        }
        var stat = CgroupIO.readKeyed(cpuacct.resolve("cpuacct.stat"));
        if (!stat.containsKey("user")) return Optional.empty();
        long nanosPerTick = 1_000_000_000L / LibC.CLOCK_TICKS;
        return Optional.of(new CgroupStats.Cpu(stat.get("user") * nanosPerTick,
                stat.getOrDefault("system", 0L) * nanosPerTick, 0, 0));
    }

    static Optional<CgroupStats.Memory> memory(Path memory) {
        var usage = CgroupIO.readLong(memory.resolve("memory.usage_in_bytes"));
        if (usage.isEmpty()) return Optional.empty();
        var stat = CgroupIO.readKeyed(memory.resolve("memory.stat"));
        return Optional.of(new CgroupStats.Memory(usage.getAsLong(),
                CgroupIO.readLong(memory.resolve("memory.max_usage_in_bytes")).orElse(0),
                stat.getOrDefault("total_cache", stat.getOrDefault("cache", 0L)),
                stat.getOrDefault("total_swap", stat.getOrDefault("swap", 0L)),
                stat.getOrDefault("total_rss", stat.getOrDefault("rss", 0L))));
    }

    /** v1 cpu.stat lives in the cpu controller (not cpuacct); throttled_time is in nanoseconds. */
    static CgroupStats.Cpu withThrottling(CgroupStats.Cpu cpu, Path cpuDir) {
        var stat = CgroupIO.readKeyed(cpuDir.resolve("cpu.stat"));
        return new CgroupStats.Cpu(cpu.userNanos(), cpu.systemNanos(),
                stat.getOrDefault("nr_throttled", 0L), stat.getOrDefault("throttled_time", 0L));
    }

    /**
     * The oom_kill counter of memory.oom_control (Linux ≥ 4.13). Older kernels only show that the
     * hard limit was hit (failcnt with the peak at the limit), which counts as one kill.
     */
    static long oomKills(Path memory) {
        var control = CgroupIO.readKeyed(memory.resolve("memory.oom_control"));
        if (control.containsKey("oom_kill")) return control.get("oom_kill");
        long failures = CgroupIO.readLong(memory.resolve("memory.failcnt")).orElse(0);
        OptionalLong limit = CgroupIO.readLong(memory.resolve("memory.limit_in_bytes"));
        long peak = CgroupIO.readLong(memory.resolve("memory.max_usage_in_bytes")).orElse(0);
        return failures > 0 && limit.isPresent() && peak >= limit.getAsLong() ? 1 : 0;
    }

    /** Shares, then period before quota (runc's order: the quota is checked against the period). */
    static void applyCpu(Path cpu, CgroupLimits limits) throws IOException {
        CgroupIO.set(cpu, "cpu.shares", limits.cpuShares() == 0 ? CgroupLimits.DEFAULT_SHARES : limits.cpuShares());
        CgroupIO.set(cpu, "cpu.cfs_period_us", limits.periodOrDefault());
        CgroupIO.set(cpu, "cpu.cfs_quota_us", limits.cpuQuotaMicros() == 0 ? -1 : limits.cpuQuotaMicros());
    }

    /**
     * The hard limit, with memory+swap pinned to it when swap accounting exists (so the task cannot
     * swap its way past the limit), then the soft limit. The kernel rejects limit > memsw at every
     * step, so raising writes memsw first and lowering writes the limit first.
     */
    static void applyMemory(Path memory, CgroupLimits limits) throws IOException {
        long hard = limits.memoryMaxBytes() == 0 ? -1 : limits.memoryMaxBytes();
        Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
        if (Files.exists(memsw)) {
            long current = CgroupIO.readLong(memory.resolve("memory.limit_in_bytes")).orElse(Long.MAX_VALUE);
            if (hard == -1 || hard > current) {
                CgroupIO.set(memory, "memory.memsw.limit_in_bytes", hard);
                CgroupIO.set(memory, "memory.limit_in_bytes", hard);
            } else {
                CgroupIO.set(memory, "memory.limit_in_bytes", hard);
                CgroupIO.set(memory, "memory.memsw.limit_in_bytes", hard);
            }
        } else {
            CgroupIO.set(memory, "memory.limit_in_bytes", hard);
        }
        CgroupIO.set(memory, "memory.soft_limit_in_bytes", limits.memoryLowBytes() == 0 ? -1 : limits.memoryLowBytes());
    }

    static void applyPids(Path pids, CgroupLimits limits) throws IOException {
        CgroupIO.set(pids, "pids.max", limits.pidsMax() == 0 ? "max" : Long.toString(limits.pidsMax()));
    }
}
