package dev.drover.agent.metrics;

import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.alloc.Allocation;
import dev.drover.agent.api.ApiJson;
import dev.drover.agent.events.Event;
import dev.drover.agent.events.EventBroker;
import dev.drover.agent.task.EventTypes;
import dev.drover.agent.task.TaskEventRecord;
import dev.drover.sdk.metrics.DriverMetrics;
import dev.drover.sdk.rpc.Wire;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Where the agent's runners report what happens: task events and allocation changes go to the
 * event stream; the same calls feed the counters that cannot be read back later (OOM kills, driver
 * starts and their latency, API latency). One per agent; the registry it owns is what
 * {@code /v1/metrics} scrapes.
 */
public final class Telemetry implements AutoCloseable {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final EventBroker events;
    private final DriverSeries driverSeries = new DriverSeries();
    private final Map<String, AtomicLong> oomKills = new ConcurrentHashMap<>();
    /** What was last published per allocation, so unchanged updates are not streamed again. */
    private final Map<String, String> allocSignatures = new ConcurrentHashMap<>();
    private final Object allocLock = new Object();

    private final Counter taskStarts = Counter.builder().name("drover_driver_task_starts")
            .help("Tasks the driver started").labelNames("driver").withoutExemplars().register(registry);
    private final Counter taskStartFailures = Counter.builder().name("drover_driver_task_start_failures")
            .help("Task starts the driver refused or failed").labelNames("driver").withoutExemplars().register(registry);
    private final Histogram startLatency = Histogram.builder().name("drover_driver_task_start_seconds")
            .help("Time the driver's StartTask took").labelNames("driver").classicOnly()
            .classicUpperBounds(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30).withoutExemplars().register(registry);
    private final Histogram apiLatency = Histogram.builder().name("drover_api_request_seconds")
            .help("HTTP API request latency by route pattern (streamed responses until they end)")
            .labelNames("method", "route", "code").classicOnly()
            .classicUpperBounds(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30).withoutExemplars()
            .register(registry);

    public Telemetry() {
        this(new EventBroker());
    }

    public Telemetry(EventBroker events) {
        this.events = events;
    }

    public PrometheusRegistry registry() {
        return registry;
    }

    public EventBroker events() {
        return events;
    }

    /** Where the drivers' own per-task figures are kept. */
    public DriverSeries driverSeries() {
        return driverSeries;
    }

    /** What driver {@code driver} reports its figures through. */
    public DriverMetrics driverMetrics(String driver) {
        return driverSeries.forDriver(driver);
    }

    /**
     * A task event was recorded. Called under the task runner's lock, in the order the events
     * happen, so the stream keeps that order; must not block.
     */
    public void taskEvent(Allocation alloc, String task, TaskEventRecord e) {
        if (e.type().equals(EventTypes.TERMINATED) && "true".equals(e.details().get("oom_killed"))) {
            oomKills.computeIfAbsent(alloc.id() + "/" + task, k -> new AtomicLong()).incrementAndGet();
        }
        var payload = Wire.JSON.createObjectNode();
        payload.putObject("Task").put("AllocID", alloc.id()).put("JobID", alloc.jobId()).put("TaskGroup", alloc.taskGroup())
                .put("Namespace", alloc.namespace()).put("Name", task).set("Event", ApiJson.event(e));
        events.publish(Event.TASK, "TaskEvent", alloc.id(), alloc.namespace(), List.of(alloc.jobId(), task), e.time(), payload);
    }

    /** An allocation may have changed: published when its status or a task's state did. */
    public void allocUpdated(AllocRunner runner) {
        synchronized (allocLock) {
            var a = runner.alloc();
            var sig = new StringBuilder(runner.clientStatus()).append('/').append(a.desiredStatus());
            runner.taskStates().forEach((name, s) -> sig.append('/').append(name).append('=').append(s.state()).append(s.restarts()));
            if (sig.toString().equals(allocSignatures.put(a.id(), sig.toString()))) return;
            var payload = Wire.JSON.createObjectNode();
            payload.set("Allocation", ApiJson.allocStub(runner));
            events.publish(Event.ALLOCATION, "AllocationUpdated", a.id(), a.namespace(), List.of(a.jobId()), Clock.unixNanos(), payload);
        }
    }

    public void taskStarted(String driver, long nanos) {
        taskStarts.labelValues(driver).inc();
        startLatency.labelValues(driver).observe(nanos / 1e9);
    }

    public void taskStartFailed(String driver) {
        taskStartFailures.labelValues(driver).inc();
    }

    public void apiRequest(String method, String route, int status, long nanos) {
        // Methods come from clients: only known ones become label values.
        String m = switch (method) {
            case "GET", "PUT", "POST", "DELETE", "HEAD", "OPTIONS" -> method;
            default -> "other";
        };
        apiLatency.labelValues(m, route, Integer.toString(status)).observe(nanos / 1e9);
    }

    /** OOM kills counted for a task since this agent started. */
    public long oomKills(String allocId, String task) {
        var n = oomKills.get(allocId + "/" + task);
        return n == null ? 0 : n.get();
    }

    /** Forgets a purged allocation's counters. */
    public void forget(String allocId) {
        oomKills.keySet().removeIf(k -> k.startsWith(allocId + "/"));
        allocSignatures.remove(allocId);
        driverSeries.forget(allocId);
    }

    @Override
    public void close() {
        events.close();
    }
}
