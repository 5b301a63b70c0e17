package dev.drover.executor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One task's cgroup leaf across the hierarchies the host has: the cgroup2 directory (tree tracking,
 * cgroup.kill) and the v1 pids/memory/cpuacct directories (listing and stats).
 */
public final class TaskCgroup {
    private final String leaf;
    private final Path v2;                 // null when there is no cgroup2 hierarchy
    private final Map<String, Path> v1;    // controller → directory

    TaskCgroup(String leaf, Path v2, Map<String, Path> v1) {
        this.leaf = leaf;
        this.v2 = v2;
        this.v1 = Map.copyOf(v1);
    }

    public String leaf() {
        return leaf;
    }

    /** Every directory of this cgroup, the cgroup2 one first. */
    public List<Path> dirs() {
        var dirs = new ArrayList<Path>();
        if (v2 != null) dirs.add(v2);
        v1.values().stream().distinct().forEach(dirs::add);
        return dirs;
    }

    /** Moves a process (and, since it is about to exec, its whole future tree) into this cgroup. */
    public void add(int pid) {
        for (Path dir : dirs()) {
            try {
                CgroupIO.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot add pid " + pid + " to " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** The processes in the cgroup (any hierarchy: a process could have been moved out of one). */
    public Set<Integer> pids() {
        var pids = new LinkedHashSet<Integer>();
        for (Path dir : dirs()) pids.addAll(CgroupIO.procs(dir));
        return pids;
    }

    /**
     * Kills the whole cgroup at once through cgroup.kill.
     *
     * @return false when unavailable (no cgroup2 or a kernel before 5.14): signal {@link #pids()} instead
     */
    public boolean kill() {
        if (v2 == null) return false;
        try {
            return CgroupV2.kill(v2);
        } catch (IOException e) {
            return false;
        }
    }

    /** CPU from cpuacct (v1) or cpu.stat (v2); memory from the v1 memory controller or v2 memory.*. */
    public CgroupStats stats() {
        Optional<CgroupStats.Cpu> cpu = Optional.ofNullable(v1.get("cpuacct")).flatMap(CgroupV1::cpu);
        if (cpu.isEmpty() && v2 != null) cpu = CgroupV2.cpu(v2);
        Optional<CgroupStats.Memory> memory = Optional.ofNullable(v1.get("memory")).flatMap(CgroupV1::memory);
        if (memory.isEmpty() && v2 != null) memory = CgroupV2.memory(v2);
        return new CgroupStats(cpu, memory);
    }

    /** How many times the kernel's OOM killer struck in this cgroup. */
    public long oomKills() {
        long kills = 0;
        if (v1.containsKey("memory")) kills += CgroupV1.oomKills(v1.get("memory"));
        if (v2 != null) kills += CgroupV2.oomKills(v2);
        return kills;
    }

    /**
     * Removes the directories; only works once the tree is dead.
     *
     * @return the directories that could not be removed
     */
    public List<Path> remove() {
        var left = new ArrayList<Path>();
        for (Path dir : dirs()) {
            if (!CgroupIO.rmdir(dir, 2_000)) left.add(dir);
        }
        return left;
    }

    @Override
    public String toString() {
        return "cgroup " + leaf + " " + dirs();
    }
}
