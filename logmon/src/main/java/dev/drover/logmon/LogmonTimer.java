package dev.drover.logmon;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/** One daemon thread for logmon's chores off the copy path (idle flushes, releasing parked fifo holds, purging old files). */
final class LogmonTimer {
    private LogmonTimer() {}

    static final ScheduledExecutorService SCHEDULER = create();

    private static ScheduledExecutorService create() {
        var executor = new ScheduledThreadPoolExecutor(1, Thread.ofPlatform().daemon().name("logmon-timer").factory());
        // Cancelled idle flushes are common (every new line reschedules); don't let them pile up.
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }
}
