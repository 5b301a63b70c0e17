package dev.drover.sdk.driver;

import java.time.Instant;
import java.util.Map;

/** A message a driver wants the user to see among the task's events (type "Driver"). */
public record TaskEvent(String taskId, String taskName, String allocId, Instant timestamp,
                        String message, Map<String, String> annotations) {
    public TaskEvent {
        annotations = Map.copyOf(annotations);
    }
}
