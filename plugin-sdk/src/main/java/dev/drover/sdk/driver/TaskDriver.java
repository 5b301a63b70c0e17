package dev.drover.sdk.driver;

import dev.drover.sdk.executor.ExecResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A task driver (Nomad's DriverPlugin, in Java). Every method is called from a virtual thread and
 * may block. Errors are {@link dev.drover.sdk.DroverException}s; a {@code NOT_FOUND} from a
 * stop/destroy of an unknown task is treated as success by the caller.
 */
public interface TaskDriver {
    String name();

    Capabilities capabilities();

    Fingerprint fingerprint();

    /**
     * Checks a task's {@code config {}} block when the job is submitted, so a bad job is refused
     * before anything runs. Throws INVALID_CONFIG naming the field and what is allowed.
     */
    void validateTaskConfig(Map<String, Object> config);

    StartedTask startTask(TaskConfig config);

    /** Finds a task started earlier (e.g. before an agent restart) from its persisted handle. */
    void recoverTask(TaskHandle handle);

    /** Blocks until the task exits; may be called again after the exit, until DestroyTask. */
    ExitResult waitTask(String taskId);

    /** Sends {@code signal} ("" = driver default), waits {@code timeout}, then kills the task's tree. */
    void stopTask(String taskId, Duration timeout, String signal);

    /** Forgets the task and releases its resources; fails if it still runs, unless forced. */
    void destroyTask(String taskId, boolean force);

    TaskStatus inspectTask(String taskId);

    ResourceUsage taskStats(String taskId);

    void signalTask(String taskId, String signal);

    /** Runs a one-shot command inside the task (script checks). */
    ExecResult execTask(String taskId, List<String> command, Duration timeout);

    /** Called when the agent shuts down; tasks keep running. */
    default void shutdown() {}
}
