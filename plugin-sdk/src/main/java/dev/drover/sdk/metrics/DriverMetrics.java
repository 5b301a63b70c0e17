package dev.drover.sdk.metrics;

import dev.drover.sdk.driver.TaskIdentity;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Where a driver (or the driver side of a plugin) reports figures of its own about a task — bytes
 * it pulled, how long a phase took, sessions it opened. The agent implements it and exposes every
 * series as {@code drover_driver_<name>} with a {@code driver} label and the task's
 * {@link TaskIdentity} labels, in {@code /v1/metrics} (JSON and Prometheus form). A driver needs
 * no metrics library: it declares a family once (when it is created) and reports against a task.
 *
 * <p>Timers are summaries without quantiles ({@code _count} and {@code _sum} in seconds): two
 * series per task, where a histogram would add one per bucket for every task on the node.
 */
public interface DriverMetrics {
    /** Lower-case words joined by '_', no {@code _total} suffix: the agent adds the prefix and suffix. */
    Pattern NAME = Pattern.compile("[a-z][a-z0-9]*(_[a-z0-9]+)*");

    /** Declares (or finds again) a counter; the same name of another kind is an IllegalArgumentException. */
    Counter counter(String name, String help);

    /** Declares (or finds again) a timer. */
    Timer timer(String name, String help);

    interface Counter {
        void add(TaskIdentity task, double amount);

        default void inc(TaskIdentity task) {
            add(task, 1);
        }
    }

    interface Timer {
        void observe(TaskIdentity task, Duration took);

        /** Observes the time since {@code startNanos} (a {@link System#nanoTime()} reading). */
        default void observeSince(TaskIdentity task, long startNanos) {
            observe(task, Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    /** Checks a family name against {@link #NAME}; for implementations. */
    static String checkName(String name) {
        if (name == null || !NAME.matcher(name).matches() || name.endsWith("_total")) {
            throw new IllegalArgumentException("metric name \"" + name + "\" must be lower-case words joined by '_'"
                    + " (e.g. image_pull_bytes), without a _total suffix");
        }
        return name;
    }

    /** Discards everything: for drivers run without an agent (tests, tools). */
    DriverMetrics NONE = new DriverMetrics() {
        @Override
        public Counter counter(String name, String help) {
            checkName(name);
            return (task, amount) -> {};
        }

        @Override
        public Timer timer(String name, String help) {
            checkName(name);
            return (task, took) -> {};
        }
    };
}
