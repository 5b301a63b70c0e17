package dev.drover.sdk.logmon;

/**
 * Turns a task's stdout/stderr fifos into rotated files. One logmon session lives for the task's
 * whole life, across restarts of the task.
 */
public interface Logmon {
    /**
     * Starts copying; idempotent: a second call for a running session changes nothing. The fifos
     * exist and are open for reading when this returns, so a writer can open them right away.
     */
    void start(String session, LogConfig config);

    /** Copies what the writers still have in flight, closes the files and forgets the session. */
    void stop(String session);

    /** The session's log counters; NOT_FOUND when no such session runs. */
    LogStats stats(String session);
}
