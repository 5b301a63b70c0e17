package dev.drover.agent.metrics;

import dev.drover.agent.metrics.LabelSets.LabelSet;
import dev.drover.sdk.logmon.LogStats;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * logmon's counters of running tasks (read by the sampler with the driver's stats):
 * {@code drover_task_log_bytes_total} and {@code drover_task_log_lines_total}, each with
 * {@code stream} (stdout|stderr) and {@code outcome} (written|dropped) before the task's labels.
 * Summed over outcome: what the task wrote. docs/observability.md says what counts as dropped.
 */
final class LogSeries {
    private LogSeries() {}

    /** One series per task: a stream, an outcome, and how its value is read. */
    private record Point(String stream, String outcome, byte[] prefix, ToLongFunction<LogStats> value) {}

    private record Family(String name, String help, byte[] exposed, byte[] helpText, List<Point> points) {}

    private static final List<Family> FAMILIES = List.of(
            family("drover_task_log_bytes", "Bytes of the task's output by stream, written to its log files or dropped (a write failed)",
                    LogStats.Stream::bytesWritten, LogStats.Stream::bytesDropped),
            family("drover_task_log_lines", "Lines (newlines) of the task's output by stream, written to its log files or dropped",
                    LogStats.Stream::linesWritten, LogStats.Stream::linesDropped));

    private static Family family(String name, String help, ToLongFunction<LogStats.Stream> written, ToLongFunction<LogStats.Stream> dropped) {
        var points = new ArrayList<Point>();
        for (String stream : List.of("stdout", "stderr")) {
            Function<LogStats, LogStats.Stream> of = stream.equals("stdout") ? LogStats::stdout : LogStats::stderr;
            points.add(point(stream, "written", s -> written.applyAsLong(of.apply(s))));
            points.add(point(stream, "dropped", s -> dropped.applyAsLong(of.apply(s))));
        }
        return new Family(name, help, TextOut.ascii(name + "_total"), TextOut.helpText(help), List.copyOf(points));
    }

    private static Point point(String stream, String outcome, ToLongFunction<LogStats> value) {
        return new Point(stream, outcome, TextOut.ascii("stream=\"" + stream + "\",outcome=\"" + outcome + "\","), value);
    }

    /** The Prometheus form; {@code labels[i]} is the label set of {@code samples.get(i)}. */
    static void write(TextOut out, List<TaskSample> samples, LabelSet[] labels) throws IOException {
        if (samples.stream().noneMatch(s -> s.logs() != null)) return;
        for (var f : FAMILIES) {
            out.header(f.exposed(), f.helpText(), TextOut.ascii("counter"));
            for (int i = 0; i < samples.size(); i++) {
                var logs = samples.get(i).logs();
                if (logs == null) continue;
                for (var p : f.points()) out.sample(f.exposed(), p.prefix(), labels[i].text(), p.value().applyAsLong(logs));
            }
        }
    }

    /** The same series as the client library's snapshots (the JSON form). */
    static List<MetricSnapshot> snapshots(Iterable<TaskSample> samples, Function<TaskSample, LabelSet> labels) {
        var out = new ArrayList<MetricSnapshot>();
        for (var f : FAMILIES) {
            var b = CounterSnapshot.builder().name(f.name()).help(f.help());
            for (var s : samples) {
                if (s.logs() == null) continue;
                var task = labels.apply(s).labels();
                for (var p : f.points()) {
                    b.dataPoint(CounterDataPointSnapshot.builder().labels(task.add("stream", p.stream()).add("outcome", p.outcome()))
                            .value(p.value().applyAsLong(s.logs())).build());
                }
            }
            out.add(b.build());
        }
        return out;
    }
}
