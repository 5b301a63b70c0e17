package dev.drover.agent.metrics;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.metrics.LabelSets.LabelSet;
import dev.drover.sdk.driver.TaskIdentity;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * What {@code /v1/metrics} serves: the registry's metrics (driver starts, API latency), the agent's
 * gauges, the drivers' own per-task series, and the per-task series built from the sampler's cache
 * and the task states. Per-task label sets come and go with allocations, so nothing has to be
 * unregistered; they are rendered once per task ({@link LabelSets}).
 *
 * <p>The Prometheus form writes per-task series straight into the response ({@link TextOut}); the
 * JSON form builds the client library's snapshots from the same family lists, so both agree.
 *
 * <p><b>Adding a per-task family</b>: put the reading into {@link TaskSample} and a {@link TaskFamily}
 * into {@link #SAMPLE_FAMILIES}; one with labels of its own next to the task's as {@link LogSeries}
 * does (logmon's counters per stream and outcome); a figure that must outlive the task's run goes
 * next to restarts in {@link #stateValues}.
 */
public final class MetricsCollector {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private static final double NANOS = 1e9;

    /** Families read from a running task's latest sample; they exist only while the task runs. */
    static final List<TaskFamily> SAMPLE_FAMILIES = List.of(
            TaskFamily.gauge("drover_task_memory_rss_bytes", "Resident memory of the task's processes", s -> s.usage().memory().rss()),
            TaskFamily.gauge("drover_task_memory_cache_bytes", "Page cache charged to the task's cgroup", s -> s.usage().memory().cache()),
            TaskFamily.gauge("drover_task_memory_swap_bytes", "Swap used by the task's cgroup", s -> s.usage().memory().swap()),
            TaskFamily.gauge("drover_task_memory_usage_bytes", "Memory charged to the task's cgroup (RSS without one)", s -> s.usage().memory().usage()),
            TaskFamily.gauge("drover_task_memory_max_usage_bytes", "Peak memory charged to the task's cgroup", s -> s.usage().memory().maxUsage()),
            TaskFamily.gauge("drover_task_memory_limit_bytes", "The task's memory limit from its resources", TaskSample::memoryLimitBytes),
            TaskFamily.gauge("drover_task_cpu_percent", "CPU use, percent of one core", s -> s.usage().cpu().percent()),
            TaskFamily.gauge("drover_task_processes", "Processes in the task's tree", s -> s.usage().processes()),
            // Cumulative since the task's start.
            TaskFamily.counter("drover_task_cpu_user_seconds", "CPU time in user mode", s -> s.usage().cpu().userNanos() / NANOS),
            TaskFamily.counter("drover_task_cpu_system_seconds", "CPU time in kernel mode", s -> s.usage().cpu().systemNanos() / NANOS),
            TaskFamily.counter("drover_task_cpu_seconds", "CPU time, user plus system", s -> s.usage().cpu().totalNanos() / NANOS),
            TaskFamily.counter("drover_task_cpu_throttled_periods", "CFS periods in which the task was throttled", s -> s.usage().cpu().throttledPeriods()),
            TaskFamily.counter("drover_task_cpu_throttled_seconds", "Time the task was throttled", s -> s.usage().cpu().throttledNanos() / NANOS));

    private static final String RESTARTS = "drover_task_restarts";
    private static final String RESTARTS_HELP = "Times the task was restarted";
    private static final String OOMS = "drover_task_oom_kills";
    private static final String OOMS_HELP = "Times the task was killed by the kernel's OOM killer (since the agent started)";

    /** A family's name, HELP and TYPE as exposition bytes, rendered once. */
    private record Header(byte[] name, byte[] help, byte[] type) {
        static Header of(String exposedName, String help, String type) {
            return new Header(TextOut.ascii(exposedName), TextOut.helpText(help), TextOut.ascii(type));
        }

        void write(TextOut out) throws IOException {
            out.header(name, help, type);
        }
    }

    private static final List<Header> SAMPLE_HEADERS = SAMPLE_FAMILIES.stream()
            .map(f -> Header.of(f.exposedName(), f.help(), f.counter() ? "counter" : "gauge")).toList();
    private static final Header RESTARTS_HEADER = Header.of(RESTARTS + "_total", RESTARTS_HELP, "counter");
    private static final Header OOMS_HEADER = Header.of(OOMS + "_total", OOMS_HELP, "counter");

    /** A known task's figures that are kept whether or not it runs. */
    private record StateValues(LabelSet labels, double restarts, double oomKills) {}

    private final AllocManager allocs;
    private final StatsSampler sampler;
    private final Telemetry telemetry;
    private final PluginCensus plugins;
    private final LabelSets labelSets = new LabelSets();

    public MetricsCollector(AllocManager allocs, StatsSampler sampler, Telemetry telemetry, PluginCensus plugins) {
        this.allocs = allocs;
        this.sampler = sampler;
        this.telemetry = telemetry;
        this.plugins = plugins;
    }

    /** Every series as the client library's snapshots (the JSON form). */
    public MetricSnapshots snapshots() {
        var out = new ArrayList<MetricSnapshot>(agentSnapshots());
        var samples = sampler.samples().values();
        var live = new HashSet<TaskIdentity>();
        for (var f : SAMPLE_FAMILIES) {
            if (f.counter()) {
                var b = CounterSnapshot.builder().name(f.name()).help(f.help());
                for (var s : samples) b.dataPoint(CounterDataPointSnapshot.builder().labels(labels(s.task(), live).labels()).value(f.value().applyAsDouble(s)).build());
                out.add(b.build());
            } else {
                var b = GaugeSnapshot.builder().name(f.name()).help(f.help());
                for (var s : samples) b.dataPoint(GaugeDataPointSnapshot.builder().labels(labels(s.task(), live).labels()).value(f.value().applyAsDouble(s)).build());
                out.add(b.build());
            }
        }
        out.addAll(LogSeries.snapshots(samples, s -> labels(s.task(), live)));
        var restarts = CounterSnapshot.builder().name(RESTARTS).help(RESTARTS_HELP);
        var ooms = CounterSnapshot.builder().name(OOMS).help(OOMS_HELP);
        for (var v : stateValues(live)) {
            restarts.dataPoint(CounterDataPointSnapshot.builder().labels(v.labels().labels()).value(v.restarts()).build());
            ooms.dataPoint(CounterDataPointSnapshot.builder().labels(v.labels().labels()).value(v.oomKills()).build());
        }
        out.add(restarts.build());
        out.add(ooms.build());
        out.addAll(telemetry.driverSeries().snapshots(labelSets, live));
        labelSets.retainAll(live);
        return new MetricSnapshots(out);
    }

    /** Every series in the Prometheus text format; per-task ones written directly. */
    public void writePrometheus(OutputStream stream) throws IOException {
        TEXT.write(stream, new MetricSnapshots(agentSnapshots()));
        var samples = List.copyOf(sampler.samples().values());
        var live = new HashSet<TaskIdentity>();
        var sets = new LabelSet[samples.size()];
        var sampleLabels = new byte[samples.size()][];
        for (int i = 0; i < samples.size(); i++) {
            sets[i] = labels(samples.get(i).task(), live);
            sampleLabels[i] = sets[i].braced();
        }
        try (var out = new TextOut(stream)) {
            for (int f = 0; f < SAMPLE_FAMILIES.size(); f++) {
                if (samples.isEmpty()) break;
                var header = SAMPLE_HEADERS.get(f);
                var value = SAMPLE_FAMILIES.get(f).value();
                header.write(out);
                for (int i = 0; i < samples.size(); i++) out.sample(header.name(), sampleLabels[i], value.applyAsDouble(samples.get(i)));
            }
            LogSeries.write(out, samples, sets);
            var states = stateValues(live);
            if (!states.isEmpty()) {
                RESTARTS_HEADER.write(out);
                for (var v : states) out.sample(RESTARTS_HEADER.name(), v.labels().braced(), v.restarts());
                OOMS_HEADER.write(out);
                for (var v : states) out.sample(OOMS_HEADER.name(), v.labels().braced(), v.oomKills());
            }
            telemetry.driverSeries().write(out, labelSets, live);
        }
        labelSets.retainAll(live);
    }

    private LabelSet labels(TaskIdentity task, Set<TaskIdentity> live) {
        live.add(task);
        return labelSets.of(task);
    }

    /** Restarts and OOM kills: for every task the agent knows, running or not. */
    private List<StateValues> stateValues(Set<TaskIdentity> live) {
        var out = new ArrayList<StateValues>();
        for (AllocRunner alloc : allocs.allocations()) {
            alloc.taskStates().forEach((task, state) -> {
                var id = alloc.alloc().identity(task);
                out.add(new StateValues(labels(id, live), state.restarts(), telemetry.oomKills(id.allocId(), task)));
            });
        }
        return out;
    }

    /** The registry's metrics and the agent's own gauges. */
    private List<MetricSnapshot> agentSnapshots() {
        var out = new ArrayList<MetricSnapshot>();
        telemetry.registry().scrape().forEach(out::add);
        var byStatus = new TreeMap<String, Integer>(Map.of("pending", 0, "running", 0, "complete", 0, "failed", 0));
        for (AllocRunner alloc : allocs.allocations()) byStatus.merge(alloc.clientStatus(), 1, Integer::sum);
        var allocGauge = GaugeSnapshot.builder().name("drover_allocations").help("Allocations on this node by client status");
        byStatus.forEach((status, n) -> allocGauge.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("status", status)).value(n).build()));
        out.add(allocGauge.build());
        var procs = GaugeSnapshot.builder().name("drover_plugin_processes")
                .help("Live plugin processes of this agent by plugin (\"executor,logmon\" is a shared host)");
        plugins.counts().forEach((plugin, n) -> procs.dataPoint(GaugeDataPointSnapshot.builder().labels(Labels.of("plugin", plugin)).value(n).build()));
        out.add(procs.build());
        var events = CounterSnapshot.builder().name("drover_events_published").help("Events published to the event stream");
        events.dataPoint(CounterDataPointSnapshot.builder().value(telemetry.events().lastIndex()).build());
        out.add(events.build());
        return out;
    }
}
