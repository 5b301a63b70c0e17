package dev.drover.executor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One task's cgroup leaf across the hierarchies the host has: the cgroup2 directory (tree tracking,
 * cgroup.kill, and on a pure cgroup2 host stats and limits) and the v1 pids/memory/cpuacct/cpu
 * directories (listing, stats, limits). Each resource is read and limited where its controller is:
 * a controller mounted as v1 cannot also be active in cgroup2, so v1 wins when both exist.
 */
public final class TaskCgroup {
    private final String leaf;
    private final Path v2;                 // null when there is no cgroup2 hierarchy
    private final Map<String, Path> v1;    // controller → directory
    private final CgroupV1 hierarchies;    // null when there is no v1 controller

    TaskCgroup(String leaf, Path v2, Map<String, Path> v1, CgroupV1 hierarchies) {
        this.leaf = leaf;
        this.v2 = v2;
        this.v1 = Map.copyOf(v1);
        this.hierarchies = hierarchies;
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

    /** The cgroup2 directory, or null on a host without cgroup2. */
    Path v2Dir() {
        return v2;
    }

    /** Moves a process (and, since it is about to exec, its whole future tree) into this cgroup. */
    public void add(int pid) {
        add(pid, Set.of());
    }

    /** {@link #add(int)} for every directory but those in {@code already} (the process was born there). */
    void add(int pid, Set<Path> already) {
        for (Path dir : dirs()) {
            if (already.contains(dir)) continue;
            try {
                CgroupIO.write(dir.resolve("cgroup.procs"), Integer.toString(pid));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot add pid " + pid + " to " + dir + ": " + e.getMessage(), e);
            }
        }
    }

    /** The v1 controllers' directories, controller → directory (cpu and cpuacct may share one). */
    Map<String, Path> v1Dirs() {
        return v1;
    }

    /** The v1 hierarchies this cgroup's directories are in, or null when it has none. */
    CgroupV1 v1Hierarchies() {
        return hierarchies;
    }

    /**
     * The processes in the cgroup (any hierarchy: a process could have been moved out of one),
     * including those of its cgroup2 children (an exec's own cgroup, see {@link ExecCgroup}). Never
     * our own process: a v1 cgroup.procs lists it while one of our spawning threads is inside (see
     * {@link BirthPlacement}), and whatever kills the task's processes must not kill us.
     */
    public Set<Integer> pids() {
        var pids = new LinkedHashSet<Integer>();
        for (Path dir : dirs()) pids.addAll(CgroupIO.procs(dir));
        for (Path child : v2Children()) pids.addAll(CgroupIO.procs(child));
        pids.remove(SELF);
        return pids;
    }

    private static final int SELF = (int) ProcessHandle.current().pid();

    private List<Path> v2Children() {
        if (v2 == null) return List.of();
        try (var list = Files.list(v2)) {
            return list.filter(Files::isDirectory).toList();
        } catch (IOException e) {
            return List.of(); // gone already
        }
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

    /**
     * CPU time from cpuacct (v1) or cpu.stat (v2), throttling from the cpu controller (v1 cpu.stat,
     * else v2 cpu.stat); memory from the v1 memory controller or v2 memory.*. Counters include
     * processes that have exited.
     */
    public CgroupStats stats() {
        Optional<CgroupStats.Cpu> cpu = Optional.ofNullable(v1.get("cpuacct")).flatMap(CgroupV1::cpu);
        if (cpu.isEmpty() && v2 != null) cpu = CgroupV2.cpu(v2);
        Path cpuV1 = v1.get("cpu");
        if (cpuV1 != null) cpu = cpu.map(c -> CgroupV1.withThrottling(c, cpuV1));
        Optional<CgroupStats.Memory> memory = Optional.ofNullable(v1.get("memory")).flatMap(CgroupV1::memory);
        if (memory.isEmpty() && v2 != null) memory = CgroupV2.memory(v2);
        return new CgroupStats(cpu, memory);
    }

    /**
     * How many times the kernel's OOM killer struck in this cgroup, read where the memory controller
     * is. A task that died of SIGKILL while this is above zero was killed for memory.
     */
    public long oomKills() {
        Path memory = v1.get("memory");
        if (memory != null) return CgroupV1.oomKills(memory);
        return v2 != null ? CgroupV2.oomKills(v2) : 0;
    }

    /**
     * Sets every limit, each in the hierarchy that has its controller; zero values reset the knob
     * to "no limit". Works before the task starts and on a running task (an update). Nothing is
     * written when a requested limit has no controller.
     *
     * @throws MissingControllerException a non-zero limit has no controller on this host
     * @throws IOException                the kernel refused a value (e.g. a memory limit below what
     *                                    the task uses and cannot reclaim); earlier ones stay applied
     */
    public void apply(CgroupLimits limits) throws IOException {
        var v2controllers = v2 == null ? Set.<String>of() : CgroupV2.controllers(v2);
        Path cpu = v1.get("cpu"), memory = v1.get("memory"), pids = v1.get("pids");
        boolean cpu2 = cpu == null && v2controllers.contains("cpu");
        boolean memory2 = memory == null && v2controllers.contains("memory");
        boolean pids2 = pids == null && v2controllers.contains("pids");
        var missing = new ArrayList<String>();
        if (limits.limitsCpu() && cpu == null && !cpu2) missing.add("cpu");
        if (limits.limitsMemory() && memory == null && !memory2) missing.add("memory");
        if (limits.pidsMax() != 0 && pids == null && !pids2) missing.add("pids");
        if (!missing.isEmpty()) {
            throw new MissingControllerException("cannot limit " + String.join(" and ", missing) + ": no "
                    + String.join(" or ", missing) + " controller in " + hierarchies(v2controllers));
        }
        if (cpu != null) CgroupV1.applyCpu(cpu, limits);
        else if (cpu2) CgroupV2.applyCpu(v2, limits);
        if (memory != null) CgroupV1.applyMemory(memory, limits);
        else if (memory2) CgroupV2.applyMemory(v2, limits);
        if (pids != null) CgroupV1.applyPids(pids, limits);
        else if (pids2) CgroupV2.applyPids(v2, limits);
    }

    /** "cgroup2 <dir> (controllers: none), v1 pids <dir>, memory <dir>" for error messages. */
    private String hierarchies(Set<String> v2controllers) {
        var parts = new ArrayList<String>();
        if (v2 != null) {
            parts.add("cgroup2 " + v2 + " (controllers: " + (v2controllers.isEmpty() ? "none" : String.join(" ", v2controllers.stream().sorted().toList())) + ")");
        }
        var byController = new LinkedHashMap<String, Path>();
        for (String c : CgroupV1.CONTROLLERS) if (v1.containsKey(c)) byController.put(c, v1.get(c));
        if (!byController.isEmpty()) parts.add("v1 " + byController);
        return parts.isEmpty() ? "no hierarchy" : String.join(", ", parts);
    }

    /** A limit was asked for that no hierarchy on this host can enforce. */
    public static final class MissingControllerException extends IOException {
        MissingControllerException(String message) {
            super(message);
        }
    }

    /**
     * Removes the directories; only works once the tree is dead.
     *
     * @return the directories that could not be removed
     */
    public List<Path> remove() {
        var left = new ArrayList<Path>();
        for (Path child : v2Children()) {
            if (!CgroupIO.rmdir(child, 2_000)) left.add(child); // before its parent, which cannot go while it exists
        }
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
