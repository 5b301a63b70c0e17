package dev.drover.agent.metrics;

import dev.drover.agent.metrics.LabelSets.LabelSet;
import dev.drover.sdk.driver.TaskIdentity;
import dev.drover.sdk.metrics.DriverMetrics;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The agent's side of {@link DriverMetrics}: what drivers report about their tasks, kept per
 * (driver, task) and exposed as {@code drover_driver_<name>} with a {@code driver} label before the
 * task's labels. Drivers share a family by name (e.g. two drivers' {@code exec_sessions}); a name
 * declared as both a counter and a timer is refused. A purged allocation's series go.
 */
public final class DriverSeries {
    private static final String PREFIX = "drover_driver_";

    private enum Kind { COUNTER, TIMER }

    private record Key(String driver, TaskIdentity task) {}

    /** A counter's cell uses only {@code sum}; a timer's counts observations too. */
    private record Cell(DoubleAdder sum, LongAdder count) {
        Cell() {
            this(new DoubleAdder(), new LongAdder());
        }
    }

    private static final class Family {
        final String name;
        final String help;
        final Kind kind;
        final byte[][] exposedNames;
        final byte[] helpText;
        final Map<Key, Cell> cells = new ConcurrentHashMap<>();

        Family(String name, String help, Kind kind) {
            this.name = name;
            this.help = help;
            this.kind = kind;
            this.exposedNames = kind == Kind.COUNTER
                    ? new byte[][] {TextOut.ascii(name + "_total")}
                    : new byte[][] {TextOut.ascii(name), TextOut.ascii(name + "_count"), TextOut.ascii(name + "_sum")};
            this.helpText = TextOut.helpText(help);
        }

        Cell cell(String driver, TaskIdentity task) {
            return cells.computeIfAbsent(new Key(driver, task), k -> new Cell());
        }
    }

    private final Map<String, Family> families = new ConcurrentHashMap<>();
    /** {@code driver="<name>",} per driver, rendered once. */
    private final Map<String, byte[]> driverLabels = new ConcurrentHashMap<>();

    /** The view one driver reports through. */
    public DriverMetrics forDriver(String driver) {
        return new DriverMetrics() {
            @Override
            public Counter counter(String name, String help) {
                var f = family(name, help, Kind.COUNTER);
                return (task, amount) -> {
                    if (amount < 0) throw new IllegalArgumentException("counter " + f.name + " cannot go down (" + amount + ")");
                    f.cell(driver, task).sum().add(amount);
                };
            }

            @Override
            public Timer timer(String name, String help) {
                var f = family(name, help, Kind.TIMER);
                return (task, took) -> {
                    var c = f.cell(driver, task);
                    c.sum().add(Math.max(0, took.toNanos()) / 1e9);
                    c.count().increment();
                };
            }
        };
    }

    private Family family(String name, String help, Kind kind) {
        DriverMetrics.checkName(name);
        if (kind == Kind.TIMER && !name.endsWith("_seconds")) {
            throw new IllegalArgumentException("timer \"" + name + "\" must end in _seconds");
        }
        var f = families.computeIfAbsent(PREFIX + name, n -> new Family(n, help, kind));
        if (f.kind != kind) {
            throw new IllegalArgumentException("metric " + f.name + " is already a " + f.kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        return f;
    }

    /** Forgets a purged allocation's series. */
    void forget(String allocId) {
        families.values().forEach(f -> f.cells.keySet().removeIf(k -> k.task().allocId().equals(allocId)));
    }

    private byte[] driverLabel(String driver) {
        return driverLabels.computeIfAbsent(driver, d -> {
            byte[] text = TextOut.labelText(List.of("driver"), new String[] {d});
            byte[] withComma = new byte[text.length + 1];
            System.arraycopy(text, 0, withComma, 0, text.length);
            withComma[text.length] = ',';
            return withComma;
        });
    }

    void write(TextOut out, LabelSets labelSets, Set<TaskIdentity> live) throws IOException {
        for (var f : families.values()) {
            if (f.cells.isEmpty()) continue;
            boolean counter = f.kind == Kind.COUNTER;
            out.header(f.exposedNames[0], f.helpText, TextOut.ascii(counter ? "counter" : "summary"));
            for (var e : f.cells.entrySet()) {
                byte[] driver = driverLabel(e.getKey().driver());
                live.add(e.getKey().task());
                byte[] task = labelSets.of(e.getKey().task()).text();
                var c = e.getValue();
                if (counter) {
                    out.sample(f.exposedNames[0], driver, task, c.sum().sum());
                } else {
                    out.sample(f.exposedNames[1], driver, task, c.count().sum());
                    out.sample(f.exposedNames[2], driver, task, c.sum().sum());
                }
            }
        }
    }

    List<MetricSnapshot> snapshots(LabelSets labelSets, Set<TaskIdentity> live) {
        var out = new ArrayList<MetricSnapshot>();
        for (var f : families.values()) {
            if (f.cells.isEmpty()) continue;
            if (f.kind == Kind.COUNTER) {
                var b = CounterSnapshot.builder().name(f.name).help(f.help);
                f.cells.forEach((k, c) -> b.dataPoint(CounterDataPointSnapshot.builder().labels(labels(k, labelSets, live)).value(c.sum().sum()).build()));
                out.add(b.build());
            } else {
                var b = SummarySnapshot.builder().name(f.name).help(f.help);
                f.cells.forEach((k, c) -> b.dataPoint(SummaryDataPointSnapshot.builder().labels(labels(k, labelSets, live))
                        .count(c.count().sum()).sum(c.sum().sum()).build()));
                out.add(b.build());
            }
        }
        return out;
    }

    private static Labels labels(Key k, LabelSets labelSets, Set<TaskIdentity> live) {
        live.add(k.task());
        return labelSets.of(k.task()).labels().merge(Labels.of("driver", k.driver()));
    }
}
