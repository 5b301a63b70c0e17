package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The legacy per-controller hierarchies the executor joins: {@code pids} (to list the tree),
 * {@code memory} and {@code cpuacct} (for stats), each at {@code <mount>/drover/<leaf>}. No limits
 * are set: the universal executor does not enforce resources (Nomad's rule).
 */
public final class CgroupV1 {
    /** The controllers joined, in the order their directories are created. */
    public static final String[] CONTROLLERS = {"pids", "memory", "cpuacct"};
    private final Map<String, Path> mounts;

    /** @param mounts controller name → mount point, for the controllers in {@link #CONTROLLERS} */
    public CgroupV1(Map<String, Path> mounts) {
        this.mounts = Map.copyOf(mounts);
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

    static long oomKills(Path memory) {
        return CgroupIO.readKeyed(memory.resolve("memory.oom_control")).getOrDefault("oom_kill", 0L);
    }
}
