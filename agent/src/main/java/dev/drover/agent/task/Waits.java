package dev.drover.agent.task;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/** The task runner's small blocking steps, kept out of its state machine. */
final class Waits {
    private Waits() {}

    /** Runs {@code work} holding one of {@code permits}; false if interrupted while waiting for it. */
    static boolean bounded(Semaphore permits, BooleanSupplier work) {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            return work.getAsBoolean();
        } finally {
            permits.release();
        }
    }

    /** Waits until {@code future} completes or {@code timeout} passes, whichever is first. */
    static void upTo(Future<?> future, Duration timeout) {
        try {
            future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // the time is up (or the awaited work failed): the caller goes on either way
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
