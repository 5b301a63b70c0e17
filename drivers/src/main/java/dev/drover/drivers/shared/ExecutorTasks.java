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
import dev.drover.sdk.plugin.PluginLease;
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

    /** The driver state persisted in the task handle. */
    public record DriverState(PluginReattach reattach, int pid, long startTicks, long startedAtMillis) {}

    private record Task(TaskConfig config, PluginLease plugin, Executor executor, DriverState state,
                        CompletableFuture<ExitResult> exit) {}

    private final PluginPool plugins;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    public ExecutorTasks(PluginPool plugins) {
        this.plugins = plugins;
    }

    public StartedTask start(TaskConfig config, ExecCommand command) {
        if (tasks.containsKey(config.id())) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, "task " + config.id() + " is already started", false);
        }
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
        var state = new DriverState(plugin.reattach(), started.pid(), started.startTicks(), System.currentTimeMillis());
        track(config, plugin, executor, state);
        return new StartedTask(handle(config, state, TaskState.RUNNING), null);
    }

    /** Reattaches to the executor recorded in the handle; fails if it is gone. */
    public void recover(TaskHandle handle) {
        var config = handle.config();
        if (tasks.containsKey(config.id())) return;
        var state = Wire.JSON.convertValue(handle.driverState(), DriverState.class);
        var plugin = plugins.reattach(state.reattach());
        track(config, plugin, new ExecutorClient(plugin.client()), state);
    }

    private void track(TaskConfig config, PluginLease plugin, Executor executor, DriverState state) {
        var exit = new CompletableFuture<ExitResult>();
        tasks.put(config.id(), new Task(config, plugin, executor, state, exit));
        Thread.ofVirtual().name("wait-" + config.name()).start(() -> exit.complete(awaitExit(config.id(), executor)));
    }

    private static ExitResult awaitExit(String id, Executor executor) {
        try {
            ProcessState ps = executor.await(id);
            return new ExitResult(ps.exitCode(), ps.signal(), ps.oomKilled(), ps.error());
        } catch (DroverException e) {
            return ExitResult.failed("executor: error waiting on process: " + e.getMessage());
        }
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

    /** Disconnects from every executor; the tasks keep running for a later agent to reattach. */
    public void detachAll() {
        tasks.values().forEach(t -> t.plugin().detach());
        tasks.clear();
    }
}
