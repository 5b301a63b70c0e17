package dev.drover.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.proc.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Set;
import java.util.logging.Logger;

/**
 * What both executors do the same way once a task runs: its cgroup, signals, the tree kill and the
 * stats. The executors differ only in how a task is started (a host process, or a container
 * through an OCI runtime) and in what is cleaned up after it.
 */
final class SessionOps {
    private static final Logger LOG = Logger.getLogger(SessionOps.class.getName());
    static final int SIGINT = 2;

    private SessionOps() {}

    /** Nomad's rule: without cgroups, root fails the task; others get a warning and run without. */
    static TaskCgroup createCgroup(Cgroups cgroups, ExecCommand command, String what) {
        return createCgroup(cgroups, command, CgroupLimits.NONE, what);
    }

    /** The task's cgroup with its limits in force before any of its processes joins. */
    static TaskCgroup createCgroup(Cgroups cgroups, ExecCommand command, CgroupLimits limits, String what) {
        if (command.cgroup().isEmpty() || cgroups.isDisabled()) return null;
        try {
            return limits.equals(CgroupLimits.NONE) ? cgroups.create(command.cgroup()) : cgroups.create(command.cgroup(), limits);
        } catch (TaskCgroup.MissingControllerException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        } catch (Cgroups.CgroupInUseException e) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, what + ": " + e.getMessage(), false);
        } catch (IOException | UncheckedIOException e) {
            if (Native.isRoot()) {
                throw DroverException.internal(what + ": cannot create cgroup " + command.cgroup() + " (" + cgroups + "): " + e.getMessage(), e);
            }
            LOG.warning("cannot create cgroup " + command.cgroup() + " (not root), running without: " + e.getMessage());
            return null;
        }
    }

    /** The cgroup of a task that already runs; a missing one only costs us the cgroup's nets. */
    static TaskCgroup openCgroup(Cgroups cgroups, ExecCommand command, String what) {
        if (command.cgroup().isEmpty() || cgroups.isDisabled()) return null;
        try {
            return cgroups.open(command.cgroup());
        } catch (IOException | RuntimeException e) {
            LOG.warning(what + ": its cgroup " + command.cgroup() + " is not usable, tracking the process only: " + e.getMessage());
            return null;
        }
    }

    /** A task's first process starts inside the task's cgroup, born in its v1 hierarchies ({@link BirthPlacement}). */
    static Spawner.Placement joinCgroup(TaskCgroup cgroup) {
        if (cgroup == null) return Spawner.Placement.NONE;
        var birth = new BirthPlacement(cgroup);
        return new Spawner.Placement() {
            @Override
            public Runnable enterThread() {
                return birth.enterThread();
            }

            @Override
            public void placeChild(int pid) {
                try {
                    birth.placeChild(pid);
                } catch (UncheckedIOException e) {
                    if (Native.isRoot()) throw e;
                    LOG.warning("cannot move pid " + pid + " into " + cgroup + " (not root), continuing without: " + e.getMessage());
                }
            }
        };
    }

    /**
     * An exec into a running task: moved into the task's cgroup while held (not born there: see
     * {@link BirthPlacement} on a task at its memory limit). The task's cgroup may be gone or
     * unwritable by now: an exec is still worth running.
     */
    static Spawner.Placement joinCgroupIfPresent(TaskCgroup cgroup) {
        return pid -> {
            if (cgroup == null) return;
            try {
                cgroup.add(pid);
            } catch (UncheckedIOException e) {
                LOG.fine("exec runs outside " + cgroup + ": " + e.getMessage());
            }
        };
    }

    /** A one-shot command inside the task's cgroup (accounted to the task, dies with it), its errors named. */
    static dev.drover.sdk.executor.ExecResult oneShot(Spawner spawner, TaskCommand command, java.util.Map<String, String> env,
                                                      TaskCgroup cgroup, long timeoutMillis, String what) {
        try {
            return OneShot.run(spawner, command, env, joinCgroupIfPresent(cgroup), timeoutMillis);
        } catch (NativeException e) {
            throw spawnError(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(what + ": interrupted", e);
        }
    }

    static int parseSignal(String signal, String what) {
        return Signals.number(signal).orElseThrow(() -> DroverException.invalid(
                what + ": unknown signal \"" + signal + "\"; use a name like SIGTERM or SIGHUP"));
    }

    static DroverException spawnError(String what, NativeException e) {
        int errno = e.errno();
        // NativeException reads "<call> failed: errno N"; say what the errno means instead.
        String call = e.getMessage().replaceFirst(" failed: errno \\d+$", "");
        String message = what + ": " + call + ": " + LibC.strerror(errno);
        boolean badInput = errno == LibC.ENOENT || errno == LibC.EACCES || errno == 8 /* ENOEXEC */;
        return badInput ? DroverException.invalid(message) : DroverException.internal(message, e);
    }

    static void signal(Session session, String signal, String what) {
        int number = parseSignal(signal, what);
        if (!session.identity.signal(number)) {
            throw DroverException.notFound(what + ": process " + session.pid + " has already exited");
        }
    }

    /** Signal ("" = SIGINT), up to {@code graceMillis} for the main process to exit, then the tree kill. */
    static void shutdown(Session session, String signal, long graceMillis, String what) {
        int number = signal == null || signal.isBlank() ? SIGINT : parseSignal(signal, what);
        try {
            var remembered = TreeKiller.snapshot(session);
            if (graceMillis > 0 && !session.exited() && session.identity.signal(number)) {
                session.awaitExit(graceMillis);
            }
            remembered.addAll(TreeKiller.snapshot(session)); // what was forked during the grace
            var left = TreeKiller.kill(session, remembered, TreeKiller.TIMEOUT_MILLIS);
            if (!left.isEmpty()) {
                throw DroverException.internal(what + ": processes " + left + " still alive after "
                        + TreeKiller.TIMEOUT_MILLIS / 1000 + "s of SIGKILL", null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(what + ": interrupted", e);
        }
    }

    /** Cgroup counters where there are some (they include exited processes), else the live tree from /proc. */
    static ResourceUsage stats(Session session) {
        Set<Integer> pids = session.cgroup != null ? session.cgroup.pids() : ProcTable.scan().tree(session.pid);
        var procs = ProcTreeStats.collect(pids);
        var cg = session.cgroup != null ? session.cgroup.stats() : CgroupStats.NONE;
        long now = System.nanoTime();
        long user = cg.cpu().map(CgroupStats.Cpu::userNanos).orElse(procs.userNanos());
        long system = cg.cpu().map(CgroupStats.Cpu::systemNanos).orElse(procs.systemNanos());
        double percent = session.cpu.percent(user + system, now);
        var cpu = new ResourceUsage.Cpu(user, system, percent,
                cg.cpu().map(CgroupStats.Cpu::throttledPeriods).orElse(0L),
                cg.cpu().map(CgroupStats.Cpu::throttledNanos).orElse(0L));
        var memory = cg.memory()
                .map(m -> new ResourceUsage.Memory(procs.rssBytes(), m.cache(), m.swap(), m.usage(), m.maxUsage()))
                .orElse(new ResourceUsage.Memory(procs.rssBytes(), 0, 0, procs.rssBytes(), 0));
        return new ResourceUsage(memory, cpu, procs.processes(), now);
    }
}
