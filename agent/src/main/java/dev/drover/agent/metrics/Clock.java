package dev.drover.agent.metrics;

import java.time.Instant;

/** Unix nanoseconds, the time unit of Nomad's API. */
final class Clock {
    private Clock() {}

    static long unixNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
