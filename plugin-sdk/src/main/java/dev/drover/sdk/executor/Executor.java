package dev.drover.sdk.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.ResourceUsage;
import java.util.List;

/**
 * Runs and supervises task processes. Every call names the session (the task id) it is about, so
 * one executor process can serve one task or many. {@link ExecutorClient} implements this same
 * interface over the wire, so a driver cannot tell an in-process executor from a plugin.
 */
public interface Executor {
    /** Starts the process and returns at once with its pid. */
    ProcessState launch(String session, ExecCommand command);

    /**
     * Takes over a task whose previous executor died: watches the recorded process (pid + start
     * time) and its cgroup without restarting it. Its exit status is not ours to read any more;
     * {@link #await} then reports it as unknown.
     */
    ProcessState adopt(String session, ExecCommand command, int pid, long startTicks);

    /** Blocks until the process exits; may be called many times, also after the exit. */
    ProcessState await(String session);

    /** Sends a signal to the task's main process only. */
    void signal(String session, String signal);

    /**
     * Stops the task: sends {@code signal} ("" = SIGINT) to the main process, waits up to
     * {@code graceMillis} for it to exit, then kills the whole process tree. Grace 0 kills at once.
     */
    void shutdown(String session, String signal, long graceMillis);

    /** Forgets an exited session. */
    void destroy(String session);

    ResourceUsage stats(String session);

    void updateResources(String session, Resources resources);

    /** Runs a one-shot command in the task's context (env, dir, user); output capped, see {@link ExecResult}. */
    ExecResult exec(String session, long timeoutMillis, String cmd, List<String> args);

    /**
     * Runs an interactive command in the task's context, on a pty when {@code tty} (else pipes),
     * streaming through {@code stream}; blocks until it exits and all its output was delivered.
     * When the caller goes away the command (and what it left in its session) is killed.
     *
     * @return the command's exit code
     */
    default int execStreaming(String session, List<String> command, boolean tty, ExecStream stream) {
        throw DroverException.notSupported("interactive exec is not supported by this executor");
    }

    /** The executor protocol version, "2.0.0" as Nomad's latest. */
    String version();
}
