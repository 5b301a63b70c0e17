package dev.drover.agent.metrics;

import java.util.function.ToDoubleFunction;

/**
 * One per-task series family and how a task's value is read from its latest {@link TaskSample}.
 * Counters are exposed with {@code _total} appended to {@code name}.
 */
record TaskFamily(String name, String help, boolean counter, ToDoubleFunction<TaskSample> value) {
    String exposedName() {
        return counter ? name + "_total" : name;
    }

    static TaskFamily gauge(String name, String help, ToDoubleFunction<TaskSample> value) {
        return new TaskFamily(name, help, false, value);
    }

    static TaskFamily counter(String name, String help, ToDoubleFunction<TaskSample> value) {
        return new TaskFamily(name, help, true, value);
    }
}
