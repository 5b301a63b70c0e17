package dev.drover.agent.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The test-side parser accepts the format's own examples and rejects what Prometheus rejects. */
class PromTextTest {

    @Test
    void parsesTheFormatsExample() {
        var scrape = PromText.parse("""
                # HELP http_requests_total The total number of HTTP requests.
                # TYPE http_requests_total counter
                http_requests_total{method="post",code="200"} 1027 1395066363000
                http_requests_total{method="post",code="400"}    3 1395066363000

                # Escaping in label values:
                msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9
                metric_without_timestamp_and_labels 12.47
                something_weird{problem="division by zero"} +Inf -3982045
                # HELP http_request_duration_seconds A histogram of the request duration.
                # TYPE http_request_duration_seconds histogram
                http_request_duration_seconds_bucket{le="0.05"} 24054
                http_request_duration_seconds_bucket{le="0.1"} 33444
                http_request_duration_seconds_bucket{le="+Inf"} 144320
                http_request_duration_seconds_sum 53423
                http_request_duration_seconds_count 144320
                """);
        var requests = scrape.family("http_requests_total");
        assertEquals("counter", requests.type());
        assertEquals("The total number of HTTP requests.", requests.help());
        assertEquals(3.0, scrape.samples("http_requests_total", Map.of("code", "400")).getFirst().value());
        assertEquals("C:\\DIR\\FILE.TXT", scrape.family("msdos_file_access_time_seconds").samples().getFirst().labels().get("path"));
        assertEquals("Cannot find file:\n\"FILE.TXT\"", scrape.family("msdos_file_access_time_seconds").samples().getFirst().labels().get("error"));
        assertEquals(Double.POSITIVE_INFINITY, scrape.family("something_weird").samples().getFirst().value());
        assertEquals("untyped", scrape.family("metric_without_timestamp_and_labels").type());
        assertEquals(5, scrape.family("http_request_duration_seconds").samples().size());
    }

    @Test
    void rejectsWhatPrometheusRejects() {
        String[] bad = {
                "1metric 1\n",                                             // name starts with a digit
                "m{1a=\"x\"} 1\n",                                         // label name starts with a digit
                "m{a=\"x\\t\"} 1\n",                                       // unknown escape
                "m{a=\"x} 1\n",                                            // unterminated value
                "m{a=\"x\" b=\"y\"} 1\n",                                  // missing comma
                "m{a=\"x\",a=\"y\"} 1\n",                                  // label twice
                "m one\n",                                                 // value not a number
                "m 1 x\n",                                                 // bad timestamp
                "m 1",                                                     // no final newline
                "# TYPE m countr\nm 1\n",                                  // unknown type
                "m 1\n# TYPE m counter\n",                                 // TYPE after samples
                "# TYPE m gauge\n# TYPE m gauge\nm 1\n",                   // TYPE twice
                "a 1\nb 1\na{x=\"1\"} 2\n",                                // family split in two
                "m{a=\"1\"} 1\nm{a=\"1\"} 2\n",                            // duplicate series
                "# TYPE c counter\nc -1\n",                                // negative counter
                "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n",                    // no +Inf
                "# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"+Inf\"} 1\nh_count 1\n",    // decreasing
                "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 3\n",                          // count differs
        };
        for (String text : bad) {
            assertThrows(PromText.ParseException.class, () -> PromText.parse(text), () -> "accepted: " + text);
        }
    }

    @Test
    void readsTheJavaClientsOwnOutputIncludingAwkwardLabelValues() throws Exception {
        var registry = new PrometheusRegistry();
        var counter = Counter.builder().name("jobs_started").help("with \\ and\nnewline").labelNames("job").register(registry);
        counter.labelValues("a \"quoted\", spaced\\job\nx").inc(3);
        var histogram = Histogram.builder().name("latency_seconds").help("h").classicOnly().classicUpperBounds(0.1, 1)
                .labelNames("route").register(registry);
        histogram.labelValues("/v1/x").observe(0.05);
        histogram.labelValues("/v1/x").observe(5);
        var out = new ByteArrayOutputStream();
        PrometheusTextFormatWriter.create().write(out, registry.scrape());
        var scrape = PromText.parse(out.toString(StandardCharsets.UTF_8));
        var started = scrape.family("jobs_started_total");
        assertEquals("counter", started.type());
        assertEquals("with \\ and\nnewline", started.help());
        assertEquals(3.0, started.samples().getFirst().value());
        assertEquals("a \"quoted\", spaced\\job\nx", started.samples().getFirst().labels().get("job"));
        var latency = scrape.family("latency_seconds");
        assertEquals("histogram", latency.type());
        assertEquals(2.0, scrape.samples("latency_seconds", Map.of("le", "+Inf")).getFirst().value());
        assertTrue(scrape.samples("latency_seconds", Map.of("le", "0.1")).getFirst().value() == 1.0);
    }
}
