package dev.drover.agent.task;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** Nomad's task event types (exact strings) and a factory for each event we emit. */
public final class EventTypes {
    private EventTypes() {}

    public static final String RECEIVED = "Received";
    public static final String TASK_SETUP = "Task Setup";
    public static final String SETUP_FAILURE = "Setup Failure";
    public static final String DRIVER_FAILURE = "Driver Failure";
    public static final String FAILED_VALIDATION = "Failed Validation";
    public static final String STARTED = "Started";
    public static final String TERMINATED = "Terminated";
    public static final String KILLING = "Killing";
    public static final String KILLED = "Killed";
    public static final String RESTARTING = "Restarting";
    public static final String NOT_RESTARTING = "Not Restarting";
    public static final String RESTART_SIGNAL = "Restart Signaled";
    public static final String SIGNALING = "Signaling";
    public static final String DRIVER_MESSAGE = "Driver";
    public static final String HOOK_FAILED = "Task hook failed";
    public static final String RESTORE_FAILED = "Failed Restoring Task";
    public static final String SIBLING_FAILED = "Sibling Task Failed";
    public static final String LEADER_DEAD = "Leader Task Dead";
    public static final String MAIN_DEAD = "Main Tasks Dead";
    public static final String WAITING_SHUTDOWN_DELAY = "Waiting for shutdown delay";

    private static long nowNanos() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }

    private static TaskEventRecord event(String type, String display, Map<String, String> details, boolean fails) {
        return new TaskEventRecord(type, nowNanos(), "", display, details, fails, 0, 0, "", 0, "");
    }

    public static TaskEventRecord received() {
        return event(RECEIVED, "Task received by client", Map.of(), false);
    }

    public static TaskEventRecord setup(String message) {
        return event(TASK_SETUP, message, Map.of("message", message), false);
    }

    public static TaskEventRecord hookFailed(String hook, String error, boolean fails) {
        return event(HOOK_FAILED, hook + ": " + error, Map.of("hook", hook, "error", error), fails);
    }

    public static TaskEventRecord driverFailure(String error, boolean fails) {
        return event(DRIVER_FAILURE, error, Map.of("driver_error", error), fails);
    }

    public static TaskEventRecord started() {
        return event(STARTED, "Task started by client", Map.of(), false);
    }

    public static TaskEventRecord terminated(int exitCode, int signal, boolean oom, String err) {
        var details = new LinkedHashMap<String, String>();
        details.put("exit_code", Integer.toString(exitCode));
        details.put("signal", Integer.toString(signal));
        details.put("oom_killed", Boolean.toString(oom));
        if (!err.isEmpty()) details.put("exit_message", err);
        String display = "Exit Code: " + exitCode + (signal != 0 ? ", Signal: " + signal : "")
                + (oom ? ", OOM Killed" : "") + (err.isEmpty() ? "" : ", Exit Message: \"" + err + "\"");
        return new TaskEventRecord(TERMINATED, nowNanos(), err, display, details, false, exitCode, signal, "", 0, "");
    }

    public static TaskEventRecord killing(Duration killTimeout, String reason) {
        String display = "Sent interrupt. Waiting " + dev.drover.sdk.Durations.format(killTimeout) + " before force killing";
        return new TaskEventRecord(KILLING, nowNanos(), reason, display, Map.of("kill_timeout", killTimeout.toString()),
                false, 0, 0, "", killTimeout.toNanos(), "");
    }

    public static TaskEventRecord killed() {
        return event(KILLED, "Task successfully killed", Map.of(), false);
    }

    public static TaskEventRecord restarting(Duration delay, String reason) {
        String display = "Task restarting in " + dev.drover.sdk.Durations.format(delay);
        return new TaskEventRecord(RESTARTING, nowNanos(), "", display,
                Map.of("start_delay", Long.toString(delay.toNanos()), "restart_reason", reason), false, 0, 0, reason, 0, "");
    }

    public static TaskEventRecord notRestarting(String reason) {
        return new TaskEventRecord(NOT_RESTARTING, nowNanos(), "", reason, Map.of("restart_reason", reason), true, 0, 0, reason, 0, "");
    }

    public static TaskEventRecord restartSignaled(String reason) {
        return event(RESTART_SIGNAL, reason, Map.of("restart_reason", reason), false);
    }

    public static TaskEventRecord signaling(String signal, String reason) {
        return event(SIGNALING, reason + ": " + signal, Map.of("signal", signal), false);
    }

    public static TaskEventRecord driverMessage(String message) {
        return new TaskEventRecord(DRIVER_MESSAGE, nowNanos(), message, message, Map.of("driver_message", message), false, 0, 0, "", 0, message);
    }

    public static TaskEventRecord restoreFailed(String error) {
        return event(RESTORE_FAILED, error, Map.of("error", error), false);
    }

    /** On a task stopped because {@code sibling} failed. */
    public static TaskEventRecord siblingFailed(String sibling) {
        return event(SIBLING_FAILED, "Task's sibling \"" + sibling + "\" failed", Map.of("failed_sibling", sibling), false);
    }

    /** On the tasks stopped because the group's leader task ended. */
    public static TaskEventRecord leaderDead() {
        return event(LEADER_DEAD, "Leader Task in Group dead", Map.of(), false);
    }

    /** On sidecars stopped because every main task has ended. */
    public static TaskEventRecord mainDead() {
        return event(MAIN_DEAD, "Main tasks in the group died", Map.of(), false);
    }

    public static TaskEventRecord waitingShutdownDelay(Duration delay) {
        return event(WAITING_SHUTDOWN_DELAY, "Waiting for shutdown_delay of " + dev.drover.sdk.Durations.format(delay) + " before killing the task",
                Map.of("shutdown_delay", delay.toString()), false);
    }
}
