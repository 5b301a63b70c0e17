package dev.drover.sdk.driver;

/** What StartTask returns: the handle to persist and, for drivers that know it, the network. */
public record StartedTask(TaskHandle handle, DriverNetwork network) {
    public StartedTask {
        if (handle == null) throw new IllegalArgumentException("handle is required");
    }
}
