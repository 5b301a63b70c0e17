package dev.drover.drivers.mock;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.Capabilities;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.FsIsolation;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskDriver;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.driver.TaskStatus;
import dev.drover.sdk.executor.ExecResult;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code mock}: a driver with no process at all, for testing the task runner's logic (restart
 * policy, events, kill handling). Config: {@code run_for} (duration, default 0), {@code exit_code},
 * {@code start_error} + {@code start_error_recoverable}, {@code stdout_string}, {@code stop_failures}
 * (the first N StopTask calls fail as a lost plugin connection would: UNAVAILABLE, recoverable). Not for users.
 */
public final class MockDriver implements TaskDriver {
    public static final String NAME = "mock";
    static final Set<String> FIELDS = Set.of("run_for", "exit_code", "start_error", "start_error_recoverable", "stdout_string",
            "stop_failures");

    private record Task(TaskConfig config, Instant startedAt, CompletableFuture<ExitResult> exit,
                        java.util.concurrent.atomic.AtomicLong stopFailuresLeft) {}

    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    public MockDriver(DriverContext context) {}

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, false, FsIsolation.NONE, false);
    }

    @Override
    public Fingerprint fingerprint() {
        return Fingerprint.healthy(Map.of("driver.mock", "1"));
    }

    @Override
    public void validateTaskConfig(Map<String, Object> config) {
        var c = new ConfigReader("config", config).allowOnly(FIELDS);
        c.duration("run_for", Duration.ZERO);
        c.integer("exit_code", 0);
        c.bool("start_error_recoverable", false);
        c.integer("stop_failures", 0);
    }

    @Override
    public StartedTask startTask(TaskConfig config) {
        var c = new ConfigReader("config", config.driverConfig()).allowOnly(FIELDS);
        String startError = c.string("start_error", "");
        if (!startError.isEmpty()) {
            throw new DroverException(DroverException.Kind.INTERNAL, startError, c.bool("start_error_recoverable", false));
        }
        String stdout = c.string("stdout_string", "");
        if (!stdout.isEmpty() && !config.stdoutPath().isEmpty()) {
            try (var out = new FileOutputStream(config.stdoutPath())) {
                out.write(stdout.getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw DroverException.internal("mock: cannot write stdout: " + e.getMessage(), e);
            }
        }
        var runFor = c.duration("run_for", Duration.ZERO);
        var result = new ExitResult((int) c.integer("exit_code", 0), 0, false, "");
        var exit = new CompletableFuture<ExitResult>().completeOnTimeout(result, runFor.toMillis(), TimeUnit.MILLISECONDS);
        tasks.put(config.id(), new Task(config, Instant.now(), exit,
                new java.util.concurrent.atomic.AtomicLong(c.integer("stop_failures", 0))));
        return new StartedTask(new TaskHandle(1, config, TaskState.RUNNING, Map.of()), null);
    }

    private Task task(String id) {
        var t = tasks.get(id);
        if (t == null) throw DroverException.notFound("task " + id + " not found");
        return t;
    }

    @Override
    public void recoverTask(TaskHandle handle) {
        if (!tasks.containsKey(handle.config().id())) throw DroverException.notFound("mock tasks do not survive a restart");
    }

    @Override
    public ExitResult waitTask(String taskId) {
        return task(taskId).exit().join();
    }

    @Override
    public void stopTask(String taskId, Duration timeout, String signal) {
        var t = task(taskId);
        if (t.stopFailuresLeft().getAndDecrement() > 0) throw DroverException.unavailable("mock: plugin connection lost", null);
        t.exit().complete(new ExitResult(130, 2, false, ""));
    }

    @Override
    public void destroyTask(String taskId, boolean force) {
        var t = tasks.get(taskId);
        if (t != null && !t.exit().isDone() && !force) {
            throw DroverException.invalid("task " + taskId + " is still running");
        }
        tasks.remove(taskId);
    }

    @Override
    public TaskStatus inspectTask(String taskId) {
        var t = task(taskId);
        var exit = t.exit().getNow(null);
        return new TaskStatus(taskId, t.config().name(), exit == null ? TaskState.RUNNING : TaskState.EXITED,
                t.startedAt(), null, exit, Map.of());
    }

    @Override
    public ResourceUsage taskStats(String taskId) {
        task(taskId);
        return new ResourceUsage(new ResourceUsage.Memory(0, 0, 0, 0, 0), new ResourceUsage.Cpu(0, 0, 0, 0, 0), 0, System.nanoTime());
    }

    @Override
    public void signalTask(String taskId, String signal) {
        task(taskId);
    }

    @Override
    public ExecResult execTask(String taskId, List<String> command, Duration timeout) {
        throw DroverException.notSupported("exec is not supported by the mock driver");
    }
}
