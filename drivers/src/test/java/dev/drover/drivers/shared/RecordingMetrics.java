package dev.drover.drivers.shared;

import dev.drover.sdk.driver.TaskIdentity;
import dev.drover.sdk.metrics.DriverMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A hand-written {@link DriverMetrics} that keeps what a driver reported, per family and task. */
public final class RecordingMetrics implements DriverMetrics {
    private final Map<String, Map<TaskIdentity, Double>> counters = new ConcurrentHashMap<>();
    private final Map<String, Map<TaskIdentity, List<Duration>>> timers = new ConcurrentHashMap<>();

    @Override
    public Counter counter(String name, String help) {
        DriverMetrics.checkName(name);
        var family = counters.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        return (task, amount) -> family.merge(task, amount, Double::sum);
    }

    @Override
    public Timer timer(String name, String help) {
        DriverMetrics.checkName(name);
        var family = timers.computeIfAbsent(name, n -> new ConcurrentHashMap<>());
        return (task, took) -> family.computeIfAbsent(task, t -> new CopyOnWriteArrayList<>()).add(took);
    }

    /** The counter's total for the task; 0 when it never counted. */
    public double counted(String name, TaskIdentity task) {
        return counters.getOrDefault(name, Map.of()).getOrDefault(task, 0.0);
    }

    /** The durations the timer observed for the task. */
    public List<Duration> timed(String name, TaskIdentity task) {
        return List.copyOf(timers.getOrDefault(name, Map.of()).getOrDefault(task, List.of()));
    }
}
