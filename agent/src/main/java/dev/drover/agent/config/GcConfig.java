package dev.drover.agent.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Garbage collection of terminal allocations (Nomad's client {@code gc_*} options, plus an age).
 *
 * @param interval  how often the collector looks (Nomad's {@code gc_interval}, default 1m)
 * @param maxAllocs how many allocations, running or not, the agent keeps before it removes the
 *                  oldest terminal ones (Nomad's {@code gc_max_allocs}, default 50)
 * @param allocTtl  a terminal allocation older than this is removed whatever the count
 *                  ({@code gc_alloc_ttl}, not a Nomad option); zero = never by age, Nomad's behaviour
 */
public record GcConfig(Duration interval, int maxAllocs, Duration allocTtl) {
    public static final GcConfig DEFAULT = new GcConfig(Duration.ofMinutes(1), 50, Duration.ZERO);

    public GcConfig {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(allocTtl, "allocTtl");
        if (interval.isNegative() || interval.isZero()) throw new IllegalArgumentException("client.gc_interval must be positive, got " + interval);
        if (maxAllocs < 0) throw new IllegalArgumentException("client.gc_max_allocs must not be negative, got " + maxAllocs);
        if (allocTtl.isNegative()) throw new IllegalArgumentException("client.gc_alloc_ttl must not be negative, got " + allocTtl);
    }
}
