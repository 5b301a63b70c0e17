package dev.drover.drivers.shared;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * A fingerprint computed on first use and refreshed in the background once it is older than
 * {@code maxAge} (Nomad re-fingerprints every 30 s). The agent asks for fingerprints on every job
 * submission and task start, so only the very first caller waits for the probe's processes.
 */
public final class PeriodicProbe<T> {
    private record Stamped<T>(T value, long atNanos) {}

    private final Duration maxAge;
    private final Supplier<T> compute;
    private final AtomicBoolean refreshing = new AtomicBoolean();
    private volatile Stamped<T> current;

    public PeriodicProbe(Duration maxAge, Supplier<T> compute) {
        this.maxAge = maxAge;
        this.compute = compute;
    }

    public T get() {
        var c = current;
        if (c == null) {
            synchronized (this) {
                if (current == null) current = new Stamped<>(compute.get(), System.nanoTime());
                return current.value();
            }
        }
        if (System.nanoTime() - c.atNanos() > maxAge.toNanos() && refreshing.compareAndSet(false, true)) {
            Thread.ofVirtual().name("fingerprint-refresh").start(() -> {
                try {
                    current = new Stamped<>(compute.get(), System.nanoTime());
                } finally {
                    refreshing.set(false);
                }
            });
        }
        return c.value();
    }
}
