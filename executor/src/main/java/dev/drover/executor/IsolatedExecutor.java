package dev.drover.executor;

import dev.drover.executor.isolated.OciSpec;
import dev.drover.executor.isolated.SandboxPaths;
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
import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Nomad's isolated (libcontainer) executor, built on a real OCI runtime: each task is a container
 * whose root is its task dir, with host directories bind-mounted read-only (nothing is copied),
 * its own mount/PID/IPC/UTS namespaces, a capability set and the task's cgroup.
 *
 * <p>The runtime is run detached and exits once the container started; the container's init is
 * then re-parented to this process (a child subreaper), so from there on a task is supervised
 * exactly like the universal executor's: real exit status, pidfd signals, cgroup tree kill.
 */
public final class IsolatedExecutor implements Executor {
    private static final Logger LOG = Logger.getLogger(IsolatedExecutor.class.getName());
    private static final long RUNTIME_TIMEOUT_MILLIS = 60_000;
    private static final Map<String, String> RUNTIME_ENV = Map.of("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
    static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /** A running container: the session plus what is needed to exec into it and delete it. */
    private record Container(Session session, OciRuntime runtime, String id) {}

    private final Cgroups cgroups;
    private final Spawner spawner;
    private final Map<String, Container> containers = new ConcurrentHashMap<>();
    private final Set<String> launching = ConcurrentHashMap.newKeySet();
    private final InteractiveExec.Registry execs = new InteractiveExec.Registry();

    public IsolatedExecutor(Cgroups cgroups, Spawner spawner) {
        this.cgroups = cgroups;
        this.spawner = spawner;
    }

    @Override
    public ProcessState launch(String id, ExecCommand command) {
        String what = "failed to launch \"" + command.cmd() + "\" in a sandbox";
        if (id == null || id.isBlank()) throw DroverException.invalid(what + ": a session id is required");
        if (!command.isolated()) throw DroverException.invalid(what + ": the command has no isolation settings");
        if (containers.containsKey(id) || !launching.add(id)) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, what + ": session " + id + " already exists", false);
        }
        try {
            var runtime = runtime(command, what);
            var plan = plan(command, command.cmd(), command.args(), what);
            String cid = OciRuntime.containerId(id);
            Path bundle = prepareBundle(runtime, cid, command, plan, what);
            TaskCgroup cgroup = SessionOps.createCgroup(cgroups, command, limits(command, command.resources(), what), what);
            try {
                var container = start(id, command, runtime, cid, bundle, cgroup, what);
                containers.put(id, container);
                LOG.fine(() -> "launched " + id + " as container " + cid + ", init pid " + container.session().pid);
                return ProcessState.running(container.session().pid, container.session().startTicks);
            } catch (RuntimeException e) {
                deleteContainer(runtime, cid);
                if (cgroup != null) cgroup.remove();
                throw e;
            }
        } finally {
            launching.remove(id);
        }
    }

    private static OciRuntime runtime(ExecCommand command, String what) {
        try {
            return OciRuntime.resolve(command.isolation().runtime());
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        }
    }

    /** What runs inside the sandbox: argv with the binary's sandbox path, cwd and user. */
    private record Plan(List<String> argv, String cwd, LibC.Passwd user) {}

    private static Plan plan(ExecCommand command, String cmd, List<String> args, String what) {
        Path rootfs = Path.of(command.taskDir());
        try {
            String binary = SandboxPaths.lookupBinary(rootfs, command.isolation().mounts(), cmd);
            var argv = new ArrayList<String>();
            argv.add(binary);
            argv.addAll(args);
            String user = command.user().isEmpty() ? "root" : command.user();
            var pw = LibC.getpwnam(user).orElseThrow(() -> new IllegalArgumentException("user \"" + user + "\" does not exist"));
            String cwd = "/" + command.workDir().replaceFirst("^/+", "");
            if (!Files.isDirectory(SandboxPaths.hostPath(rootfs, command.isolation().mounts(), cwd))) {
                throw new IllegalArgumentException("working directory " + cwd + " does not exist in the sandbox");
            }
            return new Plan(argv, cwd, pw);
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        }
    }

    /** Nomad adds the user's identity to the env; an explicit value in the task's env wins. */
    private static Map<String, String> taskEnv(ExecCommand command, LibC.Passwd user) {
        var env = new java.util.TreeMap<>(command.env());
        env.putIfAbsent("USER", user.name());
        env.putIfAbsent("LOGNAME", user.name());
        env.putIfAbsent("HOME", user.home());
        env.putIfAbsent("PATH", DEFAULT_PATH);
        return env;
    }

    private Path prepareBundle(OciRuntime runtime, String cid, ExecCommand command, Plan plan, String what) {
        Path rootfs = Path.of(command.taskDir());
        Path bundle = runtime.bundle(cid);
        try {
            deleteContainer(runtime, cid); // a leftover of a crash would make "run" fail with "already exists"
            TaskRoot.prepare(rootfs, plan.user().uid(), plan.user().gid());
            Files.createDirectories(bundle);
            var input = new OciSpec.Input(cid, rootfs, plan.argv(), taskEnv(command, plan.user()), plan.cwd(),
                    plan.user().uid(), plan.user().gid(), List.of(), command.isolation(),
                    "/" + Cgroups.PARENT + "/" + command.cgroup(), TaskRoot.hostname());
            Files.writeString(bundle.resolve("config.json"), OciSpec.json(input));
            Files.deleteIfExists(bundle.resolve("pid"));
            Files.deleteIfExists(bundle.resolve("runtime.log"));
            return bundle;
        } catch (IOException | UncheckedIOException e) {
            throw DroverException.internal(what + ": cannot write the container bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    private Container start(String id, ExecCommand command, OciRuntime runtime, String cid, Path bundle,
                            TaskCgroup cgroup, String what) {
        Path pidFile = bundle.resolve("pid");
        Path log = bundle.resolve("runtime.log");
        Session session = null;
        int out = -1, err = -1;
        // Held until we own the container's init: it becomes our child the moment "create" exits.
        try (var pause = Reaper.pause()) {
            out = TaskOutput.openWriter(command.stdoutPath());
            err = TaskOutput.openWriter(command.stderrPath());
            var create = runtime.create(cid, bundle, pidFile, log, command.isolation().noPivotRoot());
            // The runtime starts inside the task's cgroup, so the container's processes do too.
            int runtimePid = spawner.spawn(new Spawner.Request(runtime.binary(), create, RUNTIME_ENV, bundle, out, err),
                    SessionOps.joinCgroup(cgroup));
            var status = awaitRuntime(runtimePid, runtime, what);
            if (status.exitCode() != 0 || status.signal() != 0) throw runtimeFailed(runtime, "create", describe(status), log, what);
            int pid = Integer.parseInt(Files.readString(pidFile).trim());
            Reaper.own(pid);
            long startTicks = ProcStat.read(pid).map(ProcStat::startTicks).orElse(0L);
            session = new Session(id, command, pid, startTicks, cgroup);
        } catch (NativeException e) {
            throw SessionOps.spawnError(what, e);
        } catch (IOException | NumberFormatException e) {
            throw DroverException.internal(what + ": " + runtime.name() + " left no readable pid file " + pidFile + ": " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw DroverException.internal(what + ": " + e.getMessage(), e);
        } finally {
            if (out >= 0) Native.close(out);
            if (err >= 0) Native.close(err);
        }
        var result = runRuntime(runtime, runtime.start(cid, log), what);
        if (result.exitCode() != 0) {
            SessionOps.shutdown(session, "SIGKILL", 0, what);
            throw runtimeFailed(runtime, "start", "exit code " + result.exitCode(), log, what);
        }
        return new Container(session, runtime, cid);
    }

    private static DroverException runtimeFailed(OciRuntime runtime, String step, String how, Path log, String what) {
        String error = OciRuntime.lastError(log);
        return DroverException.internal(what + ": " + runtime.name() + " " + step + " failed (" + how + ")"
                + (error.isEmpty() ? "" : ": " + error), null);
    }

    /** A short runtime command (start, delete) with its output captured. */
    private ExecResult runRuntime(OciRuntime runtime, List<String> argv, String what) {
        try {
            return OneShot.run(spawner, new TaskCommand(runtime.binary(), argv, runtime.stateRoot()), RUNTIME_ENV,
                    pid -> {}, RUNTIME_TIMEOUT_MILLIS);
        } catch (NativeException e) {
            throw SessionOps.spawnError(what, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(what + ": interrupted", e);
        }
    }

    private static LibC.WaitStatus awaitRuntime(int pid, OciRuntime runtime, String what) {
        var exit = ChildWatch.watch(pid, null);
        try {
            return exit.get(RUNTIME_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Native.kill(pid, Native.SIGKILL);
            throw DroverException.internal(what + ": " + runtime.name() + " did not finish within "
                    + RUNTIME_TIMEOUT_MILLIS / 1000 + "s", e);
        } catch (ExecutionException e) {
            throw DroverException.internal(what + ": lost the exit status of " + runtime.name(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(what + ": interrupted", e);
        }
    }

    private static String describe(LibC.WaitStatus status) {
        return status.signal() != 0 ? "killed by signal " + status.signal() : "exit code " + status.exitCode();
    }

    /** Removes the runtime's record of a container (and the cgroup dirs it made); quiet when there is none. */
    private void deleteContainer(OciRuntime runtime, String cid) {
        if (!Files.exists(runtime.stateRoot().resolve(cid))) return;
        try {
            var result = runRuntime(runtime, runtime.delete(cid), "delete " + cid);
            if (result.exitCode() != 0) {
                LOG.warning(runtime.name() + " delete " + cid + " failed: " + new String(result.output()).trim());
            }
        } catch (RuntimeException e) {
            LOG.warning(runtime.name() + " delete " + cid + " failed: " + e.getMessage());
        }
    }

    @Override
    public ProcessState adopt(String id, ExecCommand command, int pid, long startTicks) {
        String what = "failed to adopt task " + id;
        if (id == null || id.isBlank()) throw DroverException.invalid(what + ": a session id is required");
        if (!command.isolated()) throw DroverException.invalid(what + ": the command has no isolation settings");
        var existing = containers.get(id);
        if (existing != null) return existing.session().state();
        var runtime = runtime(command, what);
        var cgroup = SessionOps.openCgroup(cgroups, command, what);
        var session = new Session(id, command, pid, startTicks, cgroup, true);
        containers.put(id, new Container(session, runtime, OciRuntime.containerId(id)));
        LOG.info("adopted container task " + id + " (pid " + pid + ")" + (session.exited() ? ", already exited" : ""));
        return session.state();
    }

    private Container container(String id, String what) {
        var container = id == null ? null : containers.get(id);
        if (container == null) throw DroverException.notFound(what + ": no session \"" + id + "\" in this executor");
        return container;
    }

    @Override
    public ProcessState await(String id) {
        try {
            return container(id, "failed to wait for task").session().await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw DroverException.unavailable("interrupted while waiting for task " + id, e);
        }
    }

    /**
     * Signals the container's init directly. As with Docker, an init in its own PID namespace only
     * receives the signals it installed a handler for (SIGKILL excepted).
     */
    @Override
    public void signal(String id, String signal) {
        String what = "failed to signal task " + id;
        SessionOps.signal(container(id, what).session(), signal, what);
    }

    @Override
    public void shutdown(String id, String signal, long graceMillis) {
        String what = "failed to shut down task " + id;
        try {
            SessionOps.shutdown(container(id, what).session(), signal, graceMillis, what);
        } finally {
            execs.killAll(id);
        }
    }

    /** Kills what is left, deletes the container (its state and mounts) and the cgroup and bundle. */
    @Override
    public void destroy(String id) {
        String what = "failed to destroy task " + id;
        var container = container(id, what);
        shutdown(id, "SIGKILL", 0);
        deleteContainer(container.runtime(), container.id());
        var cgroup = container.session().cgroup;
        if (cgroup != null) {
            var left = cgroup.remove();
            if (!left.isEmpty()) LOG.warning(what + ": cannot remove cgroup directories " + left);
        }
        TaskRoot.deleteTree(container.runtime().bundle(container.id()));
        containers.remove(id, container);
    }

    @Override
    public ResourceUsage stats(String id) {
        return SessionOps.stats(container(id, "failed to read stats of task " + id).session());
    }

    /** Nomad's mapping of cpu/memory/memory_max, plus the sandbox's pids limit. */
    private static CgroupLimits limits(ExecCommand command, Resources resources, String what) {
        try {
            return CgroupLimits.of(resources, command.isolation().pidsLimit());
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        }
    }

    /** Changes the limits of the running task in place (cgroup files are live). */
    @Override
    public void updateResources(String id, Resources resources) {
        String what = "failed to update resources of task " + id;
        var session = container(id, what).session();
        if (session.cgroup == null) throw DroverException.notSupported(what + ": the task has no cgroup on this host");
        try {
            session.cgroup.apply(limits(session.command, resources, what));
        } catch (TaskCgroup.MissingControllerException e) {
            throw DroverException.invalid(what + ": " + e.getMessage());
        } catch (IOException e) {
            throw DroverException.internal(what + ": " + e.getMessage(), e);
        }
    }

    /** Runs the command inside the container (its namespaces, cgroup, user and capabilities). */
    @Override
    public ExecResult exec(String id, long timeoutMillis, String cmd, List<String> args) {
        String what = "failed to exec \"" + cmd + "\" in task " + id;
        var container = container(id, what);
        if (cmd == null || cmd.isBlank()) throw DroverException.invalid(what + ": a command is required");
        if (timeoutMillis <= 0) throw DroverException.invalid(what + ": the timeout must be positive, got " + timeoutMillis);
        var session = container.session();
        if (session.exited()) throw DroverException.invalid(what + ": the task is not running");
        var plan = plan(session.command, cmd, args == null ? List.of() : args, what);
        var runtime = container.runtime();
        var exec = new TaskCommand(runtime.binary(), runtime.exec(container.id(), plan.cwd(),
                plan.user().uid(), plan.user().gid(), taskEnv(session.command, plan.user()), plan.argv()), runtime.stateRoot());
        return SessionOps.oneShot(spawner, exec, RUNTIME_ENV, session.cgroup, timeoutMillis, what);
    }

    /**
     * An interactive command inside the container: {@code <runtime> exec}, with {@code --tty
     * --console-socket} for a terminal whose master the runtime sends us, else with our pipes.
     */
    @Override
    public int execStreaming(String id, List<String> command, boolean tty, ExecStream stream) {
        String cmd = command == null || command.isEmpty() ? "" : command.getFirst();
        String what = "failed to exec \"" + cmd + "\" in task " + id;
        var container = container(id, what);
        if (cmd.isBlank()) throw DroverException.invalid(what + ": a command is required");
        var session = container.session();
        if (session.exited()) throw DroverException.invalid(what + ": the task is not running");
        var plan = plan(session.command, cmd, command.subList(1, command.size()), what);
        var runtime = container.runtime();
        var env = StreamingExecs.withTerm(taskEnv(session.command, plan.user()), tty);
        // crun can run the command in a cgroup of its own, so nothing it starts outlives it (see ExecCgroup)
        var own = runtime.name().equals("crun") ? ExecCgroup.create(session.cgroup) : null;
        return StreamingExecs.inContainer(spawner, runtime.binary(), runtime.stateRoot(), RUNTIME_ENV,
                (console, pidFile) -> runtime.execStreaming(container.id(), plan.cwd(), plan.user().uid(), plan.user().gid(),
                        env, plan.argv(), console, pidFile, own == null ? null : own.name()),
                session.cgroup, own, tty, stream, execs, id, what);
    }

    @Override
    public String version() {
        return ExecutorProtocol.VERSION;
    }
}
