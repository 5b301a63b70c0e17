package dev.drover.sdk.driver;

import java.util.List;

/**
 * Optional driver interface (Nomad's ExecTaskStreamingDriver): an interactive command inside a
 * running task, with a real terminal when {@code tty}. The agent's
 * {@code /v1/client/allocation/:id/exec} websocket uses it when the driver implements it and its
 * {@link Capabilities#exec()} is true. raw_exec, exec and java implement it through their
 * executor; a driver with its own runtime (docker: exec create/start/resize) implements it directly.
 */
public interface StreamingExecDriver {
    /**
     * Runs {@code command} in the task's context (env, working dir, user, namespaces, cgroup) and
     * streams its input and output through {@code stream}. Blocks until the command exits and all
     * of its output was delivered.
     *
     * @return the command's exit code (128 + signal when a signal ended it)
     * @throws dev.drover.sdk.DroverException NOT_FOUND for an unknown task, INVALID_CONFIG when the
     *         task is not running or the command cannot be found (the message names where it looked)
     */
    int execTaskStreaming(String taskId, List<String> command, boolean tty, ExecStream stream);
}
