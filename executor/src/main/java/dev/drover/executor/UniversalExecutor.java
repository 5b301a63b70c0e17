package dev.drover.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
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
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Nomad's universal executor: runs a task as a plain host process in its own session (so its
 * process group is the whole tree) and, where cgroups are available, in its own cgroup leaf
 * {@code drover/<command.cgroup()>}. Sessions are independent; every method is safe to call
 * concurrently, for the same or different sessions.
 */
public final class UniversalExecutor implements Executor {
    private static final Logger LOG = Logger.getLogger(UniversalExecutor.class.getName());

    private final Cgroups cgroups;
    private final Spawner spawner;
    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Set<String> launching = ConcurrentHashMap.newKeySet();
    private final InteractiveExec.Registry execs = new InteractiveExec.Registry();

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
            TaskCgroup cgroup = SessionOps.createCgroup(cgroups, command, what);
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
        TaskCgroup cgroup = SessionOps.openCgroup(cgroups, command, what);
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
                    resolved.cwd(), out, err), SessionOps.joinCgroup(cgroup));
            long startTicks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
            return new Session(id, command, pid, startTicks, cgroup);
        } catch (NativeException e) {
            throw SessionOps.spawnError(what, e);
        } catch (UncheckedIOException e) {
            throw DroverException.internal(what + ": " + e.getMessage(), e);
        } finally {
            if (out >= 0) Native.close(out);
            if (err >= 0) Native.close(err);
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
        SessionOps.signal(session(id, what), signal, what);
    }

    @Override
    public void shutdown(String id, String signal, long graceMillis) {
        String what = "failed to shut down task " + id;
        try {
            SessionOps.shutdown(session(id, what), signal, graceMillis, what);
        } finally {
            execs.killAll(id); // interactive execs end with the task, cgroup or not
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
        return SessionOps.stats(session(id, "failed to read stats of task " + id));
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
        return SessionOps.oneShot(spawner, resolved, session.command.env(), session.cgroup, timeoutMillis, what);
    }

    /** A pty (or pipes) exec in the task's context: its env, working dir, user and cgroup. */
    @Override
    public int execStreaming(String id, List<String> command, boolean tty, ExecStream stream) {
        String cmd = command == null || command.isEmpty() ? "" : command.getFirst();
        String what = "failed to exec \"" + cmd + "\" in task " + id;
        var session = session(id, what);
        if (cmd.isBlank()) throw DroverException.invalid(what + ": a command is required");
        if (session.exited()) throw DroverException.invalid(what + ": the task is not running");
        var resolved = resolve(session.command, cmd, command.subList(1, command.size()), what);
        return StreamingExecs.onHost(spawner, resolved, session.command.env(), session.cgroup, tty, stream, execs, id, what);
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
