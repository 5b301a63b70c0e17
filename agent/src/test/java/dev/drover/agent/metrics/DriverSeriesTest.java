package dev.drover.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.driver.TaskIdentity;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Drivers' own series: kept per driver and task, written in both forms, checked when declared. */
class DriverSeriesTest {
    /** A job name with every character the format must escape, and one outside ASCII. */
    static final TaskIdentity WEB = new TaskIdentity("default", "a \"quoted\"\\job\nö", "g", "web", "a1", 2);
    static final TaskIdentity DB = new TaskIdentity("default", "shop", "g", "db", "b2", 0);

    private static String text(DriverSeries series) throws Exception {
        var bytes = new ByteArrayOutputStream();
        try (var out = new TextOut(bytes)) {
            series.write(out, new LabelSets(), new HashSet<>());
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void countersAndTimersAreExposedWithTheDriverAndTheTasksLabels() throws Exception {
        var series = new DriverSeries();
        var docker = series.forDriver("docker");
        var pulled = docker.counter("image_pull_bytes", "Bytes pulled");
        var pulls = docker.timer("image_pull_seconds", "Pull time");
        pulled.add(WEB, 1000);
        pulled.add(WEB, 500);
        pulled.add(DB, 7);
        pulls.observe(WEB, Duration.ofMillis(1500));
        pulls.observe(WEB, Duration.ofMillis(500));
        // A second driver shares the family under its own label.
        series.forDriver("podman").counter("image_pull_bytes", "Bytes pulled").inc(WEB);

        String text = text(series);
        var scrape = PromText.parse(text);
        assertEquals(PrometheusClientParser.samplesOf(scrape), PrometheusClientParser.samples(text), text);
        assertEquals("counter", scrape.family("drover_driver_image_pull_bytes_total").type());
        var web = Map.of("driver", "docker", "namespace", "default", "job", WEB.job(), "task_group", "g", "task", "web",
                "alloc_id", "a1", "alloc_index", "2");
        assertEquals(1500.0, scrape.samples("drover_driver_image_pull_bytes_total", web).getFirst().value());
        assertEquals(7.0, scrape.samples("drover_driver_image_pull_bytes_total", Map.of("task", "db")).getFirst().value());
        assertEquals(1.0, scrape.samples("drover_driver_image_pull_bytes_total", Map.of("driver", "podman")).getFirst().value());
        assertEquals("summary", scrape.family("drover_driver_image_pull_seconds").type());
        var timer = scrape.samples("drover_driver_image_pull_seconds", web);
        assertEquals(2, timer.size(), timer.toString());
        for (var s : timer) {
            assertEquals(2.0, s.value(), s.toString()); // _count: 2 observations; _sum: 1.5 s + 0.5 s
        }

        var snapshots = new MetricSnapshots(series.snapshots(new LabelSets(), new HashSet<>()));
        for (var snap : snapshots) {
            switch (snap) {
                case CounterSnapshot c -> assertEquals(3, c.getDataPoints().size());
                case SummarySnapshot sm -> {
                    assertEquals(1, sm.getDataPoints().size());
                    assertEquals(2, sm.getDataPoints().getFirst().getCount());
                    assertEquals("docker", sm.getDataPoints().getFirst().getLabels().get("driver"));
                }
                default -> throw new AssertionError("unexpected " + snap);
            }
        }
    }

    @Test
    void aPurgedAllocationsSeriesGo() throws Exception {
        var series = new DriverSeries();
        var c = series.forDriver("raw_exec").counter("exec_sessions", "Sessions");
        c.inc(WEB);
        c.inc(DB);
        series.forget("a1");
        var scrape = PromText.parse(text(series));
        assertEquals(0, scrape.samples("drover_driver_exec_sessions_total", Map.of("alloc_id", "a1")).size());
        assertEquals(1, scrape.samples("drover_driver_exec_sessions_total", Map.of("alloc_id", "b2")).size());
    }

    @Test
    void badDeclarationsAreRefusedNamingTheProblem() {
        var m = new DriverSeries().forDriver("docker");
        m.timer("image_pull_seconds", "x");
        var kind = assertThrows(IllegalArgumentException.class, () -> m.counter("image_pull_seconds", "x"));
        assertTrue(kind.getMessage().contains("drover_driver_image_pull_seconds is already a timer"), kind.getMessage());
        var name = assertThrows(IllegalArgumentException.class, () -> m.counter("Pull-Bytes", "x"));
        assertTrue(name.getMessage().contains("lower-case words joined by '_'"), name.getMessage());
        var total = assertThrows(IllegalArgumentException.class, () -> m.counter("pulls_total", "x"));
        assertTrue(total.getMessage().contains("without a _total suffix"), total.getMessage());
        var unit = assertThrows(IllegalArgumentException.class, () -> m.timer("pull_time", "x"));
        assertTrue(unit.getMessage().contains("must end in _seconds"), unit.getMessage());
        var down = assertThrows(IllegalArgumentException.class, () -> m.counter("image_pull_bytes", "x").add(WEB, -1));
        assertTrue(down.getMessage().contains("cannot go down"), down.getMessage());
    }
}
