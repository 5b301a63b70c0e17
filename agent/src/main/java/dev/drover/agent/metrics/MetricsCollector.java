package dev.drover.agent.metrics;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.AllocRunner;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;

/**
 * The per-task series (from the sampler's cache and the task states) and the agent's gauges, built
 * at scrape time: label sets come and go with allocations, so nothing has to be unregistered.
 */
public final class MetricsCollector implements MultiCollector {
    private static final double NANOS = 1e9;
    private static final String[] LABEL_NAMES = TaskLabels.NAMES.toArray(String[]::new);

    private record Gauge(String name, String help, ToDoubleFunction<TaskSample> value) {}

    /** Gauges read from a running task's latest sample. */
    private static final List<Gauge> SAMPLE_GAUGES = List.of(
            new Gauge("drover_task_memory_rss_bytes", "Resident memory of the task's processes", s -> s.usage().memory().rss()),
            new Gauge("drover_task_memory_cache_bytes", "Page cache charged to the task's cgroup", s -> s.usage().memory().cache()),
            new Gauge("drover_task_memory_swap_bytes", "Swap used by the task's cgroup", s -> s.usage().memory().swap()),
            new Gauge("drover_task_memory_usage_bytes", "Memory charged to the task's cgroup (RSS without one)", s -> s.usage().memory().usage()),
            new Gauge("drover_task_memory_max_usage_bytes", "Peak memory charged to the task's cgroup", s -> s.usage().memory().maxUsage()),
            new Gauge("drover_task_memory_limit_bytes", "The task's memory limit from its resources", TaskSample::memoryLimitBytes),
            new Gauge("drover_task_cpu_percent", "CPU use, percent of one core", s -> s.usage().cpu().percent()),
            new Gauge("drover_task_processes", "Processes in the task's tree", s -> s.usage().processes()));

    /** Counters read from a running task's latest sample (cumulative since the task's start). */
    private static final List<Gauge> SAMPLE_COUNTERS = List.of(
            new Gauge("drover_task_cpu_user_seconds", "CPU time in user mode", s -> s.usage().cpu().userNanos() / NANOS),
            new Gauge("drover_task_cpu_system_seconds", "CPU time in kernel mode", s -> s.usage().cpu().systemNanos() / NANOS),
            new Gauge("drover_task_cpu_seconds", "CPU time, user plus system", s -> s.usage().cpu().totalNanos() / NANOS),
            new Gauge("drover_task_cpu_throttled_periods", "CFS periods in which the task was throttled", s -> s.usage().cpu().throttledPeriods()),
            new Gauge("drover_task_cpu_throttled_seconds", "Time the task was throttled", s -> s.usage().cpu().throttledNanos() / NANOS));

    private final AllocManager allocs;
    private final StatsSampler sampler;
    private final Telemetry telemetry;
    private final PluginCensus plugins;
    /** A task's label set never changes: built once, not per scrape (a scrape of 500 tasks needs 500). */
    private final Map<String, Labels> labelCache = new java.util.concurrent.ConcurrentHashMap<>();

    public MetricsCollector(AllocManager allocs, StatsSampler sampler, Telemetry telemetry, PluginCensus plugins) {
        this.allocs = allocs;
        this.sampler = sampler;
        this.telemetry = telemetry;
        this.plugins = plugins;
    }

    @Override
    public MetricSnapshots collect() {
        var out = new ArrayList<io.prometheus.metrics.model.snapshots.MetricSnapshot>();
        var samples = sampler.samples().values();
        var seen = new java.util.HashSet<String>();
        var labelsByKey = new java.util.HashMap<String, Labels>();
        for (var s : samples) labelsByKey.put(s.labels().key(), labels(s.labels(), seen));
        for (var g : SAMPLE_GAUGES) {
            var b = GaugeSnapshot.builder().name(g.name()).help(g.help());
            for (var s : samples) {
                b.dataPoint(GaugeDataPointSnapshot.builder().labels(labelsByKey.get(s.labels().key())).value(g.value().applyAsDouble(s)).build());
            }
            out.add(b.build());
        }
        for (var c : SAMPLE_COUNTERS) {
            var b = CounterSnapshot.builder().name(c.name()).help(c.help());
            for (var s : samples) {
                b.dataPoint(CounterDataPointSnapshot.builder().labels(labelsByKey.get(s.labels().key())).value(c.value().applyAsDouble(s)).build());
            }
            out.add(b.build());
        }
        collectTaskStates(out, seen);
        collectAgent(out);
        labelCache.keySet().retainAll(seen);
        return new MetricSnapshots(out);
    }

    /** Restarts and OOM kills: for every task the agent knows, running or not. */
    private Labels labels(TaskLabels tl, java.util.Set<String> seen) {
        seen.add(tl.key());
        return labelCache.computeIfAbsent(tl.key(), k -> Labels.of(LABEL_NAMES, tl.values()));
    }

    private void collectTaskStates(List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out, java.util.Set<String> seen) {
        var restarts = CounterSnapshot.builder().name("drover_task_restarts").help("Times the task was restarted");
        var ooms = CounterSnapshot.builder().name("drover_task_oom_kills")
                .help("Times the task was killed by the kernel's OOM killer (since the agent started)");
        var byStatus = new TreeMap<String, Integer>(Map.of("pending", 0, "running", 0, "complete", 0, "failed", 0));
        for (AllocRunner alloc : allocs.allocations()) {
            byStatus.merge(alloc.clientStatus(), 1, Integer::sum);
            alloc.taskStates().forEach((task, state) -> {
                var tl = TaskLabels.of(alloc.alloc(), task);
                var labels = labels(tl, seen);
                restarts.dataPoint(CounterDataPointSnapshot.builder().labels(labels).value(state.restarts()).build());
                ooms.dataPoint(CounterDataPointSnapshot.builder().labels(labels)
                        .value(telemetry.oomKills(tl.allocId(), task)).build());
            });
        }
        out.add(restarts.build());
        out.add(ooms.build());
        var allocGauge = GaugeSnapshot.builder().name("drover_allocations").help("Allocations on this node by client status");
        byStatus.forEach((status, n) -> allocGauge.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("status", status)).value(n).build()));
        out.add(allocGauge.build());
    }

    private void collectAgent(List<io.prometheus.metrics.model.snapshots.MetricSnapshot> out) {
        var procs = GaugeSnapshot.builder().name("drover_plugin_processes")
                .help("Live plugin processes of this agent by plugin (\"executor,logmon\" is a shared host)");
        plugins.counts().forEach((plugin, n) -> procs.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("plugin", plugin)).value(n).build()));
        out.add(procs.build());
        var events = CounterSnapshot.builder().name("drover_events_published").help("Events published to the event stream");
        events.dataPoint(CounterDataPointSnapshot.builder().value(telemetry.events().lastIndex()).build());
        out.add(events.build());
    }
}
