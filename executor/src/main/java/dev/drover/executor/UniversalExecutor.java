package dev.drover.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.executor.Executor;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.proc.ProcStat;
import dev.drover.sdk.proc.Signals;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntConsumer;
import java.util.logging.Logger;

/**
 * Nomad's universal executor: runs a task as a plain host process in its own session (so its
 * process group is the whole tree) and, where cgroups are available, in its own cgroup leaf
 * {@code drover/<command.cgroup()>}. Sessions are independent; every method is safe to call
 * concurrently, for the same or different sessions.
 */
public final class UniversalExecutor implements Executor {
    private static final Logger LOG = Logger.getLogger(UniversalExecutor.class.getName());
    private static final int SIGINT = 2;

    private final Cgroups cgroups;
    private final Spawner spawner;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Set<String> launching = ConcurrentHashMap.newKeySet();

    public UniversalExecutor(Cgroups cgroups, Spawner spawner) {
        this.cgroups = cgroups;
        this.spawner = spawner;
    }

    /** Detects the host's cgroups; synchronisation fifos go to a private temp dir. */
    public UniversalExecutor() {
        this(Cgroups.detect(), Spawner.withTempDir());
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    @Override
    public ProcessState launch(String id, ExecCommand command) {
        String what = "failed to launch \"" + command.cmd() + "\"";
        if (id == null || id.isBlank()) throw DroverException.invalid(what + ": a session id is required");
        if (sessions.containsKey(id) || !launching.add(id)) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, what + ": session " + id + " already exists", false);
        }
        try {
            TaskCommand resolved = resolve(command, command.cmd(), command.args(), what);
            TaskCgroup cgroup = createCgroup(command, what);
            try {
                var session = start(id, command, resolved, cgroup, what);
                sessions.put(id, session);
                LOG.fine(() -> "launched " + id + " as pid " + session.pid + (cgroup == null ? "" : " in " + cgroup));
                return ProcessState.running(session.pid, session.startTicks);
            } catch (RuntimeException e) {
                if (cgroup != null) cgroup.remove();
                throw e;
            }
        } finally {
            launching.remove(id);
        }
    }

    @Override
    public ProcessState adopt(String id, ExecCommand command, int pid, long startTicks) {
        String what = "failed to adopt task " + id;
        if (id == null || id.isBlank()) throw DroverException.invalid(what + ": a session id is required");
        var existing = sessions.get(id);
        if (existing != null) return existing.state();
        TaskCgroup cgroup = null;
        if (!command.cgroup().isEmpty() && !cgroups.isDisabled()) {
            try {
                cgroup = cgroups.open(command.cgroup());
            } catch (IOException | RuntimeException e) {
                LOG.warning(what + ": its cgroup " + command.cgroup() + " is not usable, tracking the process only: " + e.getMessage());
            }
        }
        var session = new Session(id, command, pid, startTicks, cgroup, true);
        sessions.put(id, session);
        LOG.info("adopted task " + id + " (pid " + pid + ")" + (session.exited() ? ", already exited" : ""));
        return session.state();
    }

    private Session start(String id, ExecCommand command, TaskCommand resolved, TaskCgroup cgroup, String what) {
        int out = -1, err = -1;
        try {
            out = TaskOutput.openWriter(command.stdoutPath());
            err = TaskOutput.openWriter(command.stderrPath());
            int pid = spawner.spawn(new Spawner.Request(resolved.executable(), resolved.argv(), command.env(),
                    resolved.cwd(), out, err), joinCgroup(cgroup));
            long startTicks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
            return new Session(id, command, pid, startTicks, cgroup);
        } catch (NativeException e) {
            throw spawnError(what, e);
        } catch (UncheckedIOException e) {
            throw DroverException.internal(what + ": " + e.getMessage(), e);
        } finally {
            if (out >= 0) Native.close(out);
            if (err >= 0) Native.close(err);
        }
    }

    /** Runs while the child is held before exec: the task starts inside its cgroup. */
    private static IntConsumer joinCgroup(TaskCgroup cgroup) {
        return pid -> {
            if (cgroup == null) return;
            try {
                cgroup.add(pid);
            } catch (UncheckedIOException e) {
                if (Native.isRoot()) throw e;
                LOG.warning("cannot move pid " + pid + " into " + cgroup + " (not root), continuing without: " + e.getMessage());
            }
        };
    }

    /** Nomad's rule: without cgroups, root fails the task; others get a warning and run without. */
    private TaskCgroup createCgroup(ExecCommand command, String what) {
        if (command.cgroup().isEmpty() || cgroups.isDisabled()) return null;
        try {
            return cgroups.create(command.cgroup());
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

    private static TaskCommand resolve(ExecCommand context, String cmd, List<String> args, String what) {
        try {
            return TaskCommand.resolve(context, cmd, args);
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        } catch (NativeException e) {
            throw DroverException.internal(what + ": " + e.getMessage(), e);
        }
    }

    private static DroverException spawnError(String what, NativeException e) {
        int errno = e.errno();
        // NativeException reads "<call> failed: errno N"; say what the errno means instead.
        String call = e.getMessage().replaceFirst(" failed: errno \\d+$", "");
        String message = what + ": " + call + ": " + LibC.strerror(errno);
        boolean badInput = errno == LibC.ENOENT || errno == LibC.EACCES || errno == 8 /* ENOEXEC */;
        return badInput ? DroverException.invalid(message) : DroverException.internal(message, e);
    }

    private Session session(String id, String what) {
        var session = id == null ? null : sessions.get(id);
        if (session == null) throw DroverException.notFound(what + ": no session \"" + id + "\" in this executor");
        return session;
    }

    @Override
    public ProcessState await(String id) {
        var session = session(id, "failed to wait for task");
        try {
            return session.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable("interrupted while waiting for task " + id, e);
        }
    }

    @Override
    public void signal(String id, String signal) {
        String what = "failed to signal task " + id;
        var session = session(id, what);
        int number = parseSignal(signal, what);
        if (!session.identity.signal(number)) {
            throw DroverException.notFound(what + ": process " + session.pid + " has already exited");
        }
    }

    private static int parseSignal(String signal, String what) {
        return Signals.number(signal).orElseThrow(() -> DroverException.invalid(
                what + ": unknown signal \"" + signal + "\"; use a name like SIGTERM or SIGHUP"));
    }

    @Override
    public void shutdown(String id, String signal, long graceMillis) {
        String what = "failed to shut down task " + id;
        var session = session(id, what);
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

    /** Kills whatever is left of the tree (a session may be destroyed without a shutdown) and removes the cgroup. */
    @Override
    public void destroy(String id) {
        String what = "failed to destroy task " + id;
        var session = session(id, what);
        shutdown(id, "SIGKILL", 0);
        if (session.cgroup != null) {
            var left = session.cgroup.remove();
            if (!left.isEmpty()) LOG.warning(what + ": cannot remove cgroup directories " + left);
        }
        sessions.remove(id, session);
    }

    @Override
    public ResourceUsage stats(String id) {
        var session = session(id, "failed to read stats of task " + id);
        Set<Integer> pids = session.cgroup != null ? session.cgroup.pids() : ProcTable.scan().tree(session.pid);
        var procs = ProcTreeStats.collect(pids);
        var cg = session.cgroup != null ? session.cgroup.stats() : CgroupStats.NONE;
        long now = System.nanoTime();
        // Cgroup counters include exited processes; /proc sums only the living.
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

    /** The universal executor enforces no limits (Nomad's behaviour), so there is nothing to update. */
    @Override
    public void updateResources(String id, Resources resources) {
        session(id, "failed to update resources of task " + id);
    }

    @Override
    public ExecResult exec(String id, long timeoutMillis, String cmd, List<String> args) {
        String what = "failed to exec \"" + cmd + "\" in task " + id;
        var session = session(id, what);
        if (cmd == null || cmd.isBlank()) throw DroverException.invalid(what + ": a command is required");
        if (timeoutMillis <= 0) throw DroverException.invalid(what + ": the timeout must be positive, got " + timeoutMillis);
        var resolved = resolve(session.command, cmd, args == null ? List.of() : args, what);
        try {
            // Inside the task's cgroup too, so it is accounted to the task and dies with it.
            return OneShot.run(spawner, resolved, session.command.env(), joinCgroupIfPresent(session.cgroup), timeoutMillis);
        } catch (NativeException e) {
            throw spawnError(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(what + ": interrupted", e);
        }
    }

    /** The task's cgroup may be gone or unwritable by now: an exec is still worth running. */
    private static IntConsumer joinCgroupIfPresent(TaskCgroup cgroup) {
        return pid -> {
            if (cgroup == null) return;
            try {
                cgroup.add(pid);
            } catch (UncheckedIOException e) {
                LOG.fine("exec runs outside " + cgroup + ": " + e.getMessage());
            }
        };
    }

    @Override
    public String version() {
        return ExecutorProtocol.VERSION;
    }

    /** Session ids currently known, for diagnostics. */
    public Set<String> sessions() {
        return Set.copyOf(sessions.keySet());
    }
}
