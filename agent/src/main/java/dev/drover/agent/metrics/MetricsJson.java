package dev.drover.agent.metrics;

import dev.drover.sdk.rpc.Wire;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.DataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.time.Instant;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/metrics} as JSON, in the shape of Nomad's: {@code Gauges}, {@code Counters} and
 * {@code Samples} (histograms) lists, each entry with its {@code Name}, {@code Labels} and values.
 * Names are the Prometheus ones, counters with their {@code _total}, so both forms agree.
 */
public final class MetricsJson {
    private MetricsJson() {}

    public static ObjectNode render(MetricSnapshots snapshots) {
        var out = Wire.JSON.createObjectNode();
        out.put("Timestamp", Instant.now().toString());
        var gauges = out.putArray("Gauges");
        var counters = out.putArray("Counters");
        var samples = out.putArray("Samples");
        for (var snapshot : snapshots) {
            String name = snapshot.getMetadata().getPrometheusName();
            switch (snapshot) {
                case GaugeSnapshot g -> g.getDataPoints().forEach(p ->
                        labels(gauges.addObject().put("Name", name).put("Value", p.getValue()), p));
                case CounterSnapshot c -> c.getDataPoints().forEach(p ->
                        labels(counters.addObject().put("Name", name + "_total").put("Value", p.getValue()), p));
                case HistogramSnapshot h -> h.getDataPoints().forEach(p -> {
                    var entry = samples.addObject().put("Name", name).put("Count", p.getCount()).put("Sum", p.getSum());
                    var buckets = entry.putObject("Buckets");
                    long cumulative = 0;
                    for (var b : p.getClassicBuckets()) {
                        cumulative += b.getCount();
                        buckets.put(Double.isInfinite(b.getUpperBound()) ? "+Inf" : Double.toString(b.getUpperBound()), cumulative);
                    }
                    labels(entry, p);
                });
                case SummarySnapshot sm -> sm.getDataPoints().forEach(p ->
                        labels(samples.addObject().put("Name", name).put("Count", p.getCount()).put("Sum", p.getSum()), p));
                default -> { } // no other kinds are registered
            }
        }
        return out;
    }

    private static void labels(ObjectNode entry, DataPointSnapshot point) {
        var labels = entry.putObject("Labels");
        point.getLabels().forEach(l -> labels.put(l.getName(), l.getValue()));
    }
}
