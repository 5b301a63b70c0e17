package dev.drover.sdk.driver;

import java.util.Map;

/**
 * What the agent persists about a started task so the driver can find it again: the config it was
 * started with and the driver's own state (for exec drivers: the executor's reattach info).
 *
 * @param version     driver-chosen version of {@code driverState}'s shape
 * @param driverState plain JSON-able values owned by the driver
 */
public record TaskHandle(int version, TaskConfig config, TaskState state, Map<String, Object> driverState) {
    public TaskHandle {
        if (config == null) throw new IllegalArgumentException("config is required");
        driverState = Map.copyOf(driverState);
    }

    public TaskHandle withState(TaskState newState) {
        return new TaskHandle(version, config, newState, driverState);
    }
}
