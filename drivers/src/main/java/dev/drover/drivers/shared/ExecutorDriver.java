package dev.drover.drivers.shared;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.StreamingExecDriver;
import dev.drover.sdk.driver.TaskDriver;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskStatus;
import dev.drover.sdk.executor.ExecResult;
import java.time.Duration;
import java.util.List;

/**
 * A driver whose tasks an executor plugin runs (raw_exec, exec, java): everything after the
 * start goes to {@link ExecutorTasks}. A subclass says what its task config means and how to
 * turn it into an executor command.
 */
public abstract class ExecutorDriver implements TaskDriver, StreamingExecDriver {
    protected final ExecutorTasks tasks;

    protected ExecutorDriver(DriverContext context) {
        this.tasks = new ExecutorTasks(context.plugins(), context.metrics());
    }

    @Override
    public void recoverTask(TaskHandle handle) {
        tasks.recover(handle);
    }

    @Override
    public ExitResult waitTask(String taskId) {
        return tasks.await(taskId);
    }

    @Override
    public void stopTask(String taskId, Duration timeout, String signal) {
        tasks.stop(taskId, timeout, signal);
    }

    @Override
    public void destroyTask(String taskId, boolean force) {
        tasks.destroy(taskId, force);
    }

    @Override
    public TaskStatus inspectTask(String taskId) {
        return tasks.inspect(taskId);
    }

    @Override
    public ResourceUsage taskStats(String taskId) {
        return tasks.stats(taskId);
    }

    @Override
    public void signalTask(String taskId, String signal) {
        tasks.signal(taskId, signal);
    }

    @Override
    public ExecResult execTask(String taskId, List<String> command, Duration timeout) {
        return tasks.exec(taskId, command, timeout);
    }

    @Override
    public int execTaskStreaming(String taskId, List<String> command, boolean tty, ExecStream stream) {
        return tasks.execStreaming(taskId, command, tty, stream);
    }

    @Override
    public void shutdown() {
        tasks.detachAll();
    }
}
