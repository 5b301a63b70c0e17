package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * Puts a task's first process into the task's cgroups before it runs: on a pure v1 host born inside
 * them, elsewhere written into them while held (Spawner).
 *
 * <p>Why: moving another process into a cgroup (its pid written to cgroup.procs, v1 or v2) takes the
 * kernel's global cgroup_threadgroup_rwsem for writing, and the first writer after a quiet moment
 * waits for an RCU grace period (percpu_down_write → rcu_sync_enter): 5–15 ms on a 2-core node, half
 * of a task's start. A thread moving <em>itself</em> into a v1 cgroup ("0" written to the {@code tasks}
 * file: the caller, one thread) takes no such lock (kernel/cgroup/cgroup.c, cgroup_procs_write_start:
 * no threadgroup lock for pid 0 without threadgroup). Spawner's spawning thread is a fresh platform
 * thread, so it joins the task's v1 directories, forks the child there (a child inherits its parent
 * thread's cgroups) and moves back to where it came from once the child has exec'd.
 *
 * <p>Only without a cgroup2 directory: cgroup2 moves whole processes (one of our threads cannot join
 * a task's domain cgroup), so there the child's pid must be written, which pays the grace period; the
 * v1 writes right after it find the lock's grace period passed and cost ~20 µs each, less than the
 * thread's own joins and returns (measured 1–2 ms slower per start on the hybrid host). So a pure v1 host pays no grace period per start, a hybrid or pure cgroup2 host one
 * (docs/performance.md: what each costs, favordynmods).
 *
 * <p>What the visit charges to the task: the thread's CPU for the fork (microseconds, in cpuacct) and
 * the kernel objects allocated while it forks (the child's task_struct, kernel stack, …), which a
 * fork inside the task would be charged for too. Not our heap or the thread's stack: user pages are
 * charged to the memory cgroup of the mm's owner (our main thread) whichever thread touches them.
 *
 * <p>Also left to the pid write: a pids hierarchy with a limit (the forking thread would hold one of
 * the task's pids; a migration is not counted against pids.max), a hierarchy whose {@code tasks}
 * file cannot be written, and one whose directory of the thread we cannot name (the way back must be
 * known before leaving). Execs into a running task do not come this way (SessionOps): such a task
 * may be at its memory limit, and the memory cgroup's OOM killer chooses among the processes in the
 * cgroup, which while the thread is inside would include ours.
 */
final class BirthPlacement implements Spawner.Placement {
    private static final Logger LOG = Logger.getLogger(BirthPlacement.class.getName());

    private static final List<String> JOIN_ORDER = List.of("pids", "memory", "cpu", "cpuacct");

    private final TaskCgroup cgroup;
    /** The directories the child is born in: completed on the spawning thread before the fork. */
    private final CompletableFuture<Set<Path>> bornIn = new CompletableFuture<>();

    BirthPlacement(TaskCgroup cgroup) {
        this.cgroup = cgroup;
    }

    @Override
    public Runnable enterThread() {
        var hierarchies = cgroup.v1Hierarchies();
        if (cgroup.v2Dir() != null || hierarchies == null || cgroup.v1Dirs().isEmpty()) return nothingJoined();
        Map<String, Path> home;
        try {
            home = hierarchies.threadDirs();
        } catch (IOException e) {
            LOG.fine("cannot read the spawning thread's cgroups, placing the child by pid: " + e.getMessage());
            return nothingJoined();
        }
        Path pids = cgroup.v1Dirs().get("pids");
        var joined = new LinkedHashMap<Path, Path>(); // task directory → the thread's own
        // cpuacct last and first to leave: the thread's own CPU time is counted where it is then.
        for (String controller : JOIN_ORDER) {
            Path dir = cgroup.v1Dirs().get(controller), back = home.get(controller);
            if (dir == null) continue;
            if (joined.containsKey(dir) || back == null || back.equals(dir)) continue;
            if (dir.equals(pids) && limited(dir)) continue;
            try {
                CgroupIO.write(dir.resolve("tasks"), "0");
                joined.put(dir, back);
            } catch (IOException e) {
                LOG.fine("the spawning thread cannot join " + dir + ", placing the child there by pid: " + e.getMessage());
            }
        }
        bornIn.complete(Set.copyOf(joined.keySet()));
        return () -> leave(joined);
    }

    private Runnable nothingJoined() {
        bornIn.complete(Set.of());
        return () -> {};
    }

    /** Every directory the child was not born in gets its pid (all of them if the thread never moved). */
    @Override
    public void placeChild(int pid) {
        cgroup.add(pid, bornIn.getNow(Set.of()));
    }

    private static boolean limited(Path pids) {
        return CgroupIO.read(pids.resolve("pids.max")).map(String::trim).filter(v -> !v.equals("max")).isPresent();
    }

    private static void leave(LinkedHashMap<Path, Path> joined) {
        for (var entry : joined.reversed().entrySet()) {
            try {
                CgroupIO.write(entry.getValue().resolve("tasks"), "0");
            } catch (IOException e) {
                LOG.warning("a spawning thread stays in " + entry.getKey() + " until it ends in a moment: cannot go back to "
                        + entry.getValue() + ": " + e.getMessage());
            }
        }
    }
}
