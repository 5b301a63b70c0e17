package dev.drover.agent.task;

import java.util.Map;

/**
 * One entry of a task's event history, with Nomad's type names (see {@link EventTypes}).
 *
 * @param time unix nanoseconds, as Nomad's API reports
 */
public record TaskEventRecord(String type, long time, String message, String displayMessage,
                              Map<String, String> details, boolean failsTask, int exitCode, int signal,
                              String restartReason, long killTimeoutNanos, String driverMessage) {
    public TaskEventRecord {
        details = Map.copyOf(details);
        message = message == null ? "" : message;
        displayMessage = displayMessage == null ? "" : displayMessage;
        restartReason = restartReason == null ? "" : restartReason;
        driverMessage = driverMessage == null ? "" : driverMessage;
    }
}
