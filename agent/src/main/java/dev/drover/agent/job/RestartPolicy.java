package dev.drover.agent.job;

import dev.drover.sdk.Durations;
import java.time.Duration;
import java.util.Objects;

/**
 * How the client restarts a failed task: at most {@code attempts} restarts within
 * {@code interval}, each after {@code delay}; once exhausted, "fail" gives up and "delay" waits
 * for the rest of the interval and starts over. The rules are Nomad's.
 */
public record RestartPolicy(int attempts, Duration interval, Duration delay, String mode) {

    public static final String MODE_FAIL = "fail";
    public static final String MODE_DELAY = "delay";
    public static final Duration MIN_INTERVAL = Duration.ofSeconds(5);

    public RestartPolicy {
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(mode, "mode");
        var checks = new Checks()
                .check(attempts >= 0, "attempts", "attempts must not be negative, got " + attempts)
                .check(!delay.isNegative(), "delay", "delay must not be negative")
                .check(interval.compareTo(MIN_INTERVAL) >= 0, "interval",
                        "interval must be at least 5s, got " + Durations.format(interval))
                .check(mode.equals(MODE_FAIL) || mode.equals(MODE_DELAY), "mode",
                        "mode must be \"fail\" or \"delay\", got " + Checks.quote(mode))
                .check(!(attempts == 0 && mode.equals(MODE_DELAY)), "attempts",
                        "mode \"delay\" with 0 attempts is ambiguous; use mode \"fail\" or set attempts");
        // Only meaningful once each field is valid on its own; otherwise it would repeat their errors.
        if (checks.isClean() && attempts > 0 && delay.multipliedBy(attempts).compareTo(interval) > 0) {
            checks.check(false, "", "cannot restart " + attempts + " times within an interval of "
                    + Durations.format(interval) + " with a delay of " + Durations.format(delay));
        }
        checks.throwIfAny();
    }
}
