package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.logging.Logger;

/**
 * The unified (cgroup2) hierarchy: {@code <root>/drover/<leaf>}. In a hybrid setup it has no
 * controllers, but it still tracks every process of the tree and offers cgroup.kill (Linux ≥ 5.14),
 * which is all the tree kill needs. On a pure cgroup2 host it also carries the limits.
 */
public final class CgroupV2 {
    private static final Logger LOG = Logger.getLogger(CgroupV2.class.getName());
    private static final String[] CONTROLLERS = {"cpu", "memory", "pids"};
    private final Path root;
    private final Consumer<Path> created; // plays the kernel's part in tests on a plain directory tree

    public CgroupV2(Path root) {
        this(root, dir -> {});
    }

    /** @param created called with every directory this creates, before it is used */
    CgroupV2(Path root, Consumer<Path> created) {
        this.root = root;
        this.created = created;
    }

    public Path root() {
        return root;
    }

    /** Creates (or reuses) {@code <root>/drover/<leaf>} with whatever controllers the host offers. */
    Path create(String leaf) throws IOException {
        // Top down: each level delegates before the next is made below it.
        Path parent = root.resolve(Cgroups.PARENT);
        enableControllers(root);
        mkdir(parent);
        enableControllers(parent);
        Path dir = parent.resolve(leaf);
        mkdir(dir);
        return dir;
    }

    private void mkdir(Path dir) throws IOException {
        if (Files.isDirectory(dir)) return;
        Files.createDirectories(dir);
        created.accept(dir);
    }

    /**
     * Best effort: a leaf only gets cpu.*, memory.*, pids.* files when every ancestor delegates the
     * controller. One write for all (the kernel takes "+a +b"), one per controller if that fails, so
     * a controller that cannot be enabled (bound to v1, say) does not keep the others out.
     */
    private static void enableControllers(Path dir) {
        Set<String> available = controllers(dir);
        Set<String> enabled = words(CgroupIO.read(dir.resolve("cgroup.subtree_control")).orElse(""));
        var missing = Arrays.stream(CONTROLLERS).filter(c -> available.contains(c) && !enabled.contains(c)).toList();
        if (missing.isEmpty()) return;
        Path control = dir.resolve("cgroup.subtree_control");
        try {
            CgroupIO.write(control, missing.stream().map(c -> "+" + c).collect(Collectors.joining(" ")));
            return;
        } catch (IOException e) {
            LOG.fine("cannot enable " + missing + " together in " + dir + ": " + e.getMessage());
        }
        for (String c : missing) {
            try {
                CgroupIO.write(control, "+" + c);
            } catch (IOException e) {
                LOG.fine("cannot enable " + c + " in " + dir + ": " + e.getMessage());
            }
        }
    }

    /** The controllers a cgroup has: for a leaf, those its parent delegates. */
    static Set<String> controllers(Path dir) {
        return words(CgroupIO.read(dir.resolve("cgroup.controllers")).orElse(""));
    }

    private static Set<String> words(String text) {
        return Arrays.stream(text.trim().split("\\s+")).filter(w -> !w.isEmpty()).collect(Collectors.toUnmodifiableSet());
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

    static void applyCpu(Path dir, CgroupLimits limits) throws IOException {
        CgroupIO.set(dir, "cpu.weight", CgroupLimits.weight(limits.cpuShares()));
        String quota = limits.cpuQuotaMicros() == 0 ? "max" : Long.toString(limits.cpuQuotaMicros());
        CgroupIO.set(dir, "cpu.max", quota + " " + limits.periodOrDefault());
    }

    /**
     * cgroup2 has no ordering rules between these. Swap is shut off under a hard limit, as v1 does
     * with memsw = limit, when the kernel accounts swap at all.
     */
    static void applyMemory(Path dir, CgroupLimits limits) throws IOException {
        boolean hard = limits.memoryMaxBytes() != 0;
        CgroupIO.set(dir, "memory.max", hard ? Long.toString(limits.memoryMaxBytes()) : "max");
        CgroupIO.set(dir, "memory.low", limits.memoryLowBytes());
        if (Files.exists(dir.resolve("memory.swap.max"))) CgroupIO.set(dir, "memory.swap.max", hard ? "0" : "max");
    }

    static void applyPids(Path dir, CgroupLimits limits) throws IOException {
        CgroupIO.set(dir, "pids.max", limits.pidsMax() == 0 ? "max" : Long.toString(limits.pidsMax()));
    }
}
