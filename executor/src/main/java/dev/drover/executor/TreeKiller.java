package dev.drover.executor;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.proc.ProcessIdentity;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Kills a task's whole process tree and waits until nothing of it is left. Three nets, because each
 * alone has a hole: the process group (misses processes that call setsid/setpgid), the cgroup
 * (absent when cgroups are unavailable) and the descendants remembered at shutdown (misses what is
 * forked afterwards).
 */
final class TreeKiller {
    private TreeKiller() {}

    static final long TIMEOUT_MILLIS = 15_000;

    /** The live processes of the tree as of now: the main process, its group, descendants and cgroup. */
    static Set<ProcessIdentity> snapshot(Session s) {
        var table = ProcTable.scan();
        // A pid that is no longer the session's process (recorded, then reused) is someone else's tree.
        var pids = new LinkedHashSet<Integer>(s.identity.isAlive() ? table.tree(s.pid) : Set.of());
        if (s.cgroup != null) s.cgroup.pids().stream().filter(table::isLive).forEach(pids::add);
        var ids = new LinkedHashSet<ProcessIdentity>();
        pids.forEach(p -> ProcessIdentity.of(p).ifPresent(ids::add));
        return ids;
    }

    /**
     * SIGKILLs the tree until it is gone.
     *
     * @return the pids still alive after the timeout; empty on success
     */
    static Set<Integer> kill(Session s, Collection<ProcessIdentity> remembered, long timeoutMillis) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        while (true) {
            var table = ProcTable.scan();
            var group = table.group(s.pid);
            var inCgroup = new LinkedHashSet<Integer>();
            if (s.cgroup != null) s.cgroup.pids().stream().filter(table::isLive).forEach(inCgroup::add);
            var stragglers = remembered.stream().filter(ProcessIdentity::isAlive).toList();
            boolean mainRunning = !s.exited();
            if (group.isEmpty() && inCgroup.isEmpty() && stragglers.isEmpty() && !mainRunning) return Set.of();
            if (System.nanoTime() > deadline) {
                var left = new LinkedHashSet<Integer>(group);
                left.addAll(inCgroup);
                stragglers.forEach(id -> left.add(id.pid()));
                if (mainRunning) left.add(s.pid);
                return left;
            }
            // The group id cannot name anyone else while the main process is unreaped or members live.
            if (mainRunning || !group.isEmpty()) quietly(() -> Native.kill(-s.pid, Native.SIGKILL));
            if (mainRunning) s.identity.signal(Native.SIGKILL); // it may have left its own group
            if (!inCgroup.isEmpty() && !s.cgroup.kill()) {
                inCgroup.forEach(p -> ProcessIdentity.of(p).ifPresent(id -> id.signal(Native.SIGKILL)));
            }
            stragglers.forEach(id -> id.signal(Native.SIGKILL));
            Thread.sleep(20);
        }
    }

    private static void quietly(Runnable kill) {
        try {
            kill.run();
        } catch (NativeException e) {
            // EPERM for a member that switched to a user we may not signal: the cgroup kill covers it
        }
    }
}
