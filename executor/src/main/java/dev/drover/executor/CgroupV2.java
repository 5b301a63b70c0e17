package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The unified (cgroup2) hierarchy: {@code <root>/drover/<leaf>}. In a hybrid setup it has no
 * controllers, but it still tracks every process of the tree and offers cgroup.kill (Linux ≥ 5.14),
 * which is all the tree kill needs.
 */
public final class CgroupV2 {
    private static final Logger LOG = Logger.getLogger(CgroupV2.class.getName());
    private static final String[] CONTROLLERS = {"cpu", "memory", "pids"};
    private final Path root;

    public CgroupV2(Path root) {
        this.root = root;
    }

    public Path root() {
        return root;
    }

    /** Creates (or reuses) {@code <root>/drover/<leaf>} with whatever controllers the host offers. */
    Path create(String leaf) throws IOException {
        Path parent = root.resolve(Cgroups.PARENT);
        Files.createDirectories(parent);
        enableControllers(root);
        enableControllers(parent);
        Path dir = parent.resolve(leaf);
        Files.createDirectories(dir);
        return dir;
    }

    /** Best effort: a leaf only gets memory.* files when every ancestor delegates the controller. */
    private static void enableControllers(Path dir) {
        String available = CgroupIO.read(dir.resolve("cgroup.controllers")).orElse("");
        String enabled = CgroupIO.read(dir.resolve("cgroup.subtree_control")).orElse("");
        for (String c : CONTROLLERS) {
            if (!(" " + available.trim() + " ").contains(" " + c + " ")) continue;
            if ((" " + enabled.trim() + " ").contains(" " + c + " ")) continue;
            try {
                CgroupIO.write(dir.resolve("cgroup.subtree_control"), "+" + c);
            } catch (IOException e) {
                LOG.fine("cannot enable " + c + " in " + dir + ": " + e.getMessage());
            }
        }
    }

    /** Kills every process in the cgroup atomically, forks included; false when the kernel lacks cgroup.kill. */
    static boolean kill(Path dir) throws IOException {
        Path kill = dir.resolve("cgroup.kill");
        if (!Files.exists(kill)) return false;
        CgroupIO.write(kill, "1");
        return true;
    }

    /** cpu.stat exists in every cgroup2 directory; the throttling counters only with the cpu controller. */
    static Optional<CgroupStats.Cpu> cpu(Path dir) {
        var stat = CgroupIO.readKeyed(dir.resolve("cpu.stat"));
        if (!stat.containsKey("user_usec")) return Optional.empty();
        return Optional.of(new CgroupStats.Cpu(stat.get("user_usec") * 1000, stat.getOrDefault("system_usec", 0L) * 1000,
                stat.getOrDefault("nr_throttled", 0L), stat.getOrDefault("throttled_usec", 0L) * 1000));
    }

    static Optional<CgroupStats.Memory> memory(Path dir) {
        var current = CgroupIO.readLong(dir.resolve("memory.current"));
        if (current.isEmpty()) return Optional.empty();
        var stat = CgroupIO.readKeyed(dir.resolve("memory.stat"));
        return Optional.of(new CgroupStats.Memory(current.getAsLong(),
                CgroupIO.readLong(dir.resolve("memory.peak")).orElse(0), // Linux ≥ 5.19
                stat.getOrDefault("file", 0L),
                CgroupIO.readLong(dir.resolve("memory.swap.current")).orElse(0),
                stat.getOrDefault("anon", 0L)));
    }

    static long oomKills(Path dir) {
        return CgroupIO.readKeyed(dir.resolve("memory.events")).getOrDefault("oom_kill", 0L);
    }
}
