package dev.drover.executor;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * A cgroup2 child of a task's cgroup for one container exec ({@code <task>/exec-<n>}), given to
 * crun as {@code exec --cgroup}. Whatever the command starts stays in it, whether or not it keeps
 * the command's session, so the end of the exec can kill all of it: without a TTY the runtime's
 * intermediate process makes the session and exits at once, and a command that ends within a
 * millisecond was gone before anyone could read which session that was.
 *
 * <p>Only the cgroup2 hierarchy gets a child: crun then joins the command to that child alone and
 * leaves the v1 hierarchies (a hybrid host) as it inherits them from the runtime process, which we
 * spawn inside the task's cgroup; so the task's limits keep applying. runc wants the child in every
 * hierarchy, so it keeps the session-based cleanup alone (see StreamingExecs).
 */
final class ExecCgroup implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExecCgroup.class.getName());
    private static final AtomicLong NEXT = new AtomicLong();
    private static final long KILL_TIMEOUT_MILLIS = 5_000;

    private final Path dir;

    private ExecCgroup(Path dir) {
        this.dir = dir;
    }

    /**
     * A fresh child of {@code task}'s cgroup2 directory, or null when there is none to make: no
     * cgroup2 hierarchy, or a task cgroup that delegates controllers to children (processes in a
     * child would then break cgroup2's rule that only leaves hold processes).
     */
    static ExecCgroup create(TaskCgroup task) {
        Path parent = task == null ? null : task.v2Dir();
        if (parent == null) return null;
        if (!CgroupIO.read(parent.resolve("cgroup.subtree_control")).orElse("").isBlank()) return null;
        Path dir = parent.resolve("exec-" + NEXT.incrementAndGet());
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            LOG.warning("no cgroup of its own for an exec (" + dir + "): " + e.getMessage());
            return null;
        }
        return new ExecCgroup(dir);
    }

    /** The name crun's {@code exec --cgroup} takes: relative to the container's cgroup. */
    String name() {
        return dir.getFileName().toString();
    }

    /** Kills every process in the cgroup, forks included, and waits until it is empty. */
    void kill() {
        long deadline = System.currentTimeMillis() + KILL_TIMEOUT_MILLIS;
        while (true) {
            var pids = CgroupIO.procs(dir);
            if (pids.isEmpty()) return;
            if (System.currentTimeMillis() > deadline) {
                LOG.warning("processes " + pids + " of an exec survived SIGKILL in " + dir);
                return;
            }
            boolean killed = false;
            try {
                killed = CgroupV2.kill(dir);
            } catch (IOException e) {
                LOG.fine("cgroup.kill of " + dir + " failed: " + e.getMessage());
            }
            if (!killed) {
                pids.forEach(p -> ProcessIdentity.of(p).ifPresent(id -> id.signal(Native.SIGKILL))); // kernels before 5.14
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Kills what is left and removes the cgroup. */
    @Override
    public void close() {
        kill();
        if (!CgroupIO.rmdir(dir, 2_000)) LOG.warning("could not remove the exec cgroup " + dir);
    }

    @Override
    public String toString() {
        return dir.toString();
    }
}
