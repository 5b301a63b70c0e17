package dev.drover.sdk.driver;

import java.time.Instant;
import java.util.Map;

/** The answer to InspectTask. {@code exitResult} and {@code completedAt} are null while running. */
public record TaskStatus(String id, String name, TaskState state, Instant startedAt, Instant completedAt,
                         ExitResult exitResult, Map<String, String> driverAttributes) {
    public TaskStatus {
        driverAttributes = Map.copyOf(driverAttributes);
    }
}
