package dev.drover.agent.task;

import dev.drover.sdk.driver.TaskHandle;
import java.util.HashMap;
import java.util.Map;

/**
 * What only this agent needs to find a task again after a restart (Nomad's LocalState): each
 * hook's persisted data (e.g. the logmon plugin's reattach info) and the driver's task handle.
 */
public record LocalTaskState(Map<String, Map<String, String>> hookData, TaskHandle handle, boolean runComplete) {
    public LocalTaskState {
        hookData = Map.copyOf(hookData);
    }

    public static LocalTaskState empty() {
        return new LocalTaskState(Map.of(), null, false);
    }

    public LocalTaskState withHookData(String hook, Map<String, String> data) {
        var copy = new HashMap<>(hookData);
        copy.put(hook, Map.copyOf(data));
        return new LocalTaskState(copy, handle, runComplete);
    }

    public LocalTaskState withHandle(TaskHandle newHandle) {
        return new LocalTaskState(hookData, newHandle, runComplete);
    }

    public LocalTaskState withRunComplete() {
        return new LocalTaskState(hookData, handle, true);
    }
}
