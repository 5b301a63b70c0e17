package dev.drover.drivers.shared;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.driver.TaskStatus;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.executor.Executor;
import dev.drover.sdk.executor.ExecutorClient;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.metrics.DriverMetrics;
import dev.drover.sdk.plugin.PluginLease;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.plugin.PluginPool;
import dev.drover.sdk.plugin.PluginReattach;
import dev.drover.sdk.rpc.Wire;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The part every executor-backed driver (raw_exec, exec, java) shares: each task runs under an
 * executor plugin process; the handle's driver state records how to reattach to it.
 */
public final class ExecutorTasks {
    /** Version of the driver-state shape written into task handles. */
    public static final int HANDLE_VERSION = 1;

    /** How often a task's supervision may be moved to a new executor before it is given up. */
    private static final int MAX_ADOPTIONS = 5;
    /**
     * The exit message of a task whose own executor died (per_task placement): its tree was killed
     * and the restart policy decides what next (docs/decisions.md, "Executor killed").
     */
    public static final String EXECUTOR_DIED = "Executor Died: executor process died; task killed";

    /** The driver state persisted in the task handle; {@code command} lets a new executor adopt the task. */
    public record DriverState(PluginReattach reattach, int pid, long startTicks, long startedAtMillis, ExecCommand command) {}

    /** A task and the executor currently supervising it (replaced if that executor dies). */
    private static final class Task {
        final TaskConfig config;
        final DriverState state;
        final CompletableFuture<ExitResult> exit = new CompletableFuture<>();
        volatile PluginLease plugin;
        volatile Executor executor;
        /** Set when the task's per-task executor was found dead: its tree is killed, not adopted. */
        volatile boolean executorDied;

        Task(TaskConfig config, DriverState state, PluginLease plugin) {
            this.config = config;
            this.state = state;
            this.plugin = plugin;
            this.executor = new ExecutorClient(plugin.client());
        }

        PluginLease plugin() {
            return plugin;
        }

        Executor executor() {
            return executor;
        }

        TaskConfig config() {
            return config;
        }

        DriverState state() {
            return state;
        }

        CompletableFuture<ExitResult> exit() {
            return exit;
        }
    }

    private final PluginPool plugins;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();
    private final DriverMetrics.Timer launchTime;
    private final DriverMetrics.Counter execSessions;

    public ExecutorTasks(PluginPool plugins, DriverMetrics metrics) {
        this.plugins = plugins;
        this.launchTime = metrics.timer("executor_launch_seconds",
                "Time to get an executor session and launch the task's command in it");
        this.execSessions = metrics.counter("exec_sessions", "Interactive exec sessions opened in the task (alloc exec)");
    }

    public StartedTask start(TaskConfig config, ExecCommand command) {
        if (tasks.containsKey(config.id())) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, "task " + config.id() + " is already started", false);
        }
        long began = System.nanoTime();
        var plugin = plugins.acquire(ExecutorProtocol.PLUGIN_NAME);
        var executor = new ExecutorClient(plugin.client());
        ProcessState started;
        try {
            started = executor.launch(config.id(), command);
        } catch (RuntimeException e) {
            plugin.release();
            if (e instanceof DroverException de) {
                throw new DroverException(de.kind(), "failed to launch command with executor: " + de.getMessage(), de.recoverable(), de);
            }
            throw e;
        }
        var state = new DriverState(plugin.reattach(), started.pid(), started.startTicks(), System.currentTimeMillis(), command);
        launchTime.observeSince(config.identity(), began);
        track(config, plugin, state);
        return new StartedTask(handle(config, state, TaskState.RUNNING), null);
    }

    /** Reattaches to the executor recorded in the handle; fails if it is gone. */
    public void recover(TaskHandle handle) {
        var config = handle.config();
        if (tasks.containsKey(config.id())) return;
        var state = Wire.JSON.convertValue(handle.driverState(), DriverState.class);
        PluginLease plugin;
        try {
            plugin = plugins.reattach(state.reattach());
        } catch (DroverException gone) {
            if (state.command() == null) throw gone;
            // Its executor died while we were away: a new one adopts the task (shared), or adopts it
            // only to kill its tree (per_task, see awaitExit).
            plugin = plugins.acquire(ExecutorProtocol.PLUGIN_NAME);
            new ExecutorClient(plugin.client()).adopt(config.id(), state.command(), state.pid(), state.startTicks());
            track(config, plugin, state, plugins.placement() == PluginPlacement.PER_TASK);
            return;
        }
        track(config, plugin, state, false);
    }

    private void track(TaskConfig config, PluginLease plugin, DriverState state) {
        track(config, plugin, state, false);
    }

    private void track(TaskConfig config, PluginLease plugin, DriverState state, boolean executorDied) {
        var task = new Task(config, state, plugin);
        task.executorDied = executorDied;
        tasks.put(config.id(), task);
        plugins.remember(ExecutorProtocol.PLUGIN_NAME, config.id(),
                host -> new ExecutorClient(host).adopt(config.id(), state.command(), state.pid(), state.startTicks()));
        Thread.ofVirtual().name("wait-" + config.name()).start(() -> task.exit.complete(awaitExit(task)));
    }

    /**
     * Waits for the task's exit. If its executor dies meanwhile, a new executor adopts the still
     * running task (the shared host restores every task at once) and the wait goes on there.
     */
    private ExitResult awaitExit(Task task) {
        String id = task.config.id();
        for (int adoptions = 0; ; adoptions++) {
            if (task.executorDied) return killOrphanedTree(task);
            try {
                return exitResult(task, task.executor.await(id));
            } catch (DroverException e) {
                if (e.kind() != DroverException.Kind.UNAVAILABLE || adoptions >= MAX_ADOPTIONS || !tasks.containsKey(id)
                        || task.state.command() == null) {
                    return ExitResult.failed("executor: error waiting on process: " + e.getMessage());
                }
                try {
                    moveToNewExecutor(task);
                    task.executorDied = plugins.placement() == PluginPlacement.PER_TASK;
                } catch (RuntimeException again) {
                    // The replacement may itself die while it takes over (a shared host killed again): retry.
                    if (adoptions + 1 >= MAX_ADOPTIONS) {
                        return ExitResult.failed("executor died and no new one could take the task over: " + again.getMessage());
                    }
                    pause(500);
                }
            }
        }
    }

    /**
     * Per_task placement: the task's own executor died. A fresh executor has adopted the task only
     * to kill its whole tree (cgroup or process group, as a normal stop does); the task then fails
     * with {@link #EXECUTOR_DIED} and its restart policy decides. The task's exit code is lost
     * with its supervisor, so none is reported.
     */
    private ExitResult killOrphanedTree(Task task) {
        String id = task.config.id();
        try {
            task.executor.shutdown(id, "SIGKILL", 0);
            var ps = task.executor.await(id);
            var exit = exitResult(task, ps);
            return new ExitResult(exit.exitCode(), exit.signal(), exit.oomKilled(), EXECUTOR_DIED);
        } catch (RuntimeException e) {
            return ExitResult.failed(EXECUTOR_DIED + "; killing its processes failed: " + e.getMessage());
        }
    }

    private void moveToNewExecutor(Task task) {
        var lease = plugins.acquire(ExecutorProtocol.PLUGIN_NAME);
        var executor = new ExecutorClient(lease.client());
        // A shared host restored (adopted) the task already; adopting twice is answered from the session.
        executor.adopt(task.config.id(), task.state.command(), task.state.pid(), task.state.startTicks());
        task.plugin = lease;
        task.executor = executor;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The exit status an adopting executor cannot know may still be ours: we may have reaped the task. */
    private static ExitResult exitResult(Task task, ProcessState ps) {
        if (ps.exitCode() == -1 && !ps.error().isEmpty()) {
            for (int i = 0; i < 20; i++) {
                var raw = dev.drover.sdk.proc.Reaper.reapedStatus(task.state.pid(), task.state.startTicks());
                if (raw.isPresent()) {
                    var status = dev.drover.sdk.proc.WaitStatus.fromRaw(raw.getAsInt());
                    return new ExitResult(status.exitCode(), status.signal(), false, "");
                }
                try {
                    Thread.sleep(50); // the agent's reaper runs every 250 ms
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        return new ExitResult(ps.exitCode(), ps.signal(), ps.oomKilled(), ps.error());
    }

    public static TaskHandle handle(TaskConfig config, DriverState state, TaskState taskState) {
        @SuppressWarnings("unchecked")
        Map<String, Object> blob = Wire.JSON.convertValue(state, Map.class);
        return new TaskHandle(HANDLE_VERSION, config, taskState, blob);
    }

    private Task task(String id) {
        var t = tasks.get(id);
        if (t == null) throw DroverException.notFound("task " + id + " not found");
        return t;
    }

    public ExitResult await(String id) {
        return task(id).exit().join();
    }

    public void stop(String id, Duration timeout, String signal) {
        var t = task(id);
        if (t.exit().isDone()) return;
        t.executor().shutdown(id, signal == null ? "" : signal, timeout.toMillis());
    }

    public void destroy(String id, boolean force) {
        var t = tasks.get(id);
        if (t == null) return;
        if (!t.exit().isDone()) {
            if (!force) throw new DroverException(DroverException.Kind.INVALID_CONFIG, "task " + id + " is still running; stop it first", false);
            try {
                t.executor().shutdown(id, "", 0);
            } catch (DroverException e) {
                // the executor may already be gone; its tree is killed with it below
            }
        }
        try {
            t.executor().destroy(id);
        } catch (DroverException e) {
            // nothing left to forget
        }
        t.plugin().release();
        plugins.forget(ExecutorProtocol.PLUGIN_NAME, id);
        tasks.remove(id);
    }

    public TaskStatus inspect(String id) {
        var t = task(id);
        var exit = t.exit().getNow(null);
        return new TaskStatus(id, t.config().name(), exit == null ? TaskState.RUNNING : TaskState.EXITED,
                Instant.ofEpochMilli(t.state().startedAtMillis()), null, exit,
                Map.of("pid", Integer.toString(t.state().pid())));
    }

    public ResourceUsage stats(String id) {
        return task(id).executor().stats(id);
    }

    public void signal(String id, String signal) {
        task(id).executor().signal(id, signal);
    }

    public ExecResult exec(String id, List<String> command, Duration timeout) {
        if (command.isEmpty()) throw DroverException.invalid("exec: command is empty");
        return task(id).executor().exec(id, timeout.toMillis(), command.getFirst(), command.subList(1, command.size()));
    }

    /** An interactive exec in the task through its executor (pty or pipes; see Executor#execStreaming). */
    public int execStreaming(String id, List<String> command, boolean tty, dev.drover.sdk.driver.ExecStream stream) {
        if (command.isEmpty()) throw DroverException.invalid("exec: command is empty");
        var t = task(id);
        if (t.exit().isDone()) throw DroverException.invalid("exec: task " + id + " is not running");
        execSessions.inc(t.config().identity());
        return t.executor().execStreaming(id, command, tty, stream);
    }

    /** Disconnects from every executor; the tasks keep running for a later agent to reattach. */
    public void detachAll() {
        var all = java.util.List.copyOf(tasks.values());
        tasks.clear(); // first, so the waiters do not take the closed connections for dead executors
        all.forEach(t -> t.plugin().detach());
    }
}
