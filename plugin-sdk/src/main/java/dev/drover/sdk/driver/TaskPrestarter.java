package dev.drover.sdk.driver;

/**
 * Optional: a driver with work to do before StartTask that the user should see progress of (e.g.
 * pulling an image). Runs as the task runner's "driver prestart" hook; progress goes out as
 * driver task events through the {@link DriverContext}.
 */
public interface TaskPrestarter {
    void prestart(TaskConfig config);
}
