package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.metrics.PromText;
import dev.drover.agent.metrics.PrometheusClientParser;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/** Scrapes of {@code /v1/metrics?format=prometheus} for the e2e tests. */
final class Scrapes {
    private final AgentFixture agent;

    Scrapes(AgentFixture agent) {
        this.agent = agent;
    }

    String text() throws Exception {
        var r = agent.call("GET", "/v1/metrics?format=prometheus", null);
        assertEquals(200, r.status(), r.body());
        assertTrue(r.raw().headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                r.raw().headers().toString());
        return r.body();
    }

    PromText.Scrape scrape() throws Exception {
        return PromText.parse(text());
    }

    /**
     * A scrape read by both our strict parser and the Prometheus client library's: they must see
     * the same samples.
     */
    PromText.Scrape checkedScrape() throws Exception {
        String body = text();
        var ours = PromText.parse(body);
        assertEquals(PrometheusClientParser.samplesOf(ours), PrometheusClientParser.samples(body),
                "prometheus_client reads the scrape as PromText does");
        return ours;
    }

    /** Scrapes until one sample of {@code family} for the labels satisfies the condition. */
    PromText.Sample await(String family, Map<String, String> labels, Predicate<Double> condition, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        List<PromText.Sample> last = List.of();
        while (System.currentTimeMillis() < deadline) {
            last = scrape().samples(family, labels);
            for (var s : last) if (condition.test(s.value())) return s;
            Thread.sleep(200);
        }
        fail(family + labels + " never became " + what + "; last: " + last);
        return null;
    }

    /** The value of the one sample called {@code name} (e.g. a summary's {@code _count}) among {@code samples}. */
    static double named(List<PromText.Sample> samples, String name) {
        var found = samples.stream().filter(s -> s.name().equals(name)).toList();
        assertEquals(1, found.size(), name + " in " + samples);
        return found.getFirst().value();
    }

    /** The labels of a task of group "g", index 0. */
    static Map<String, String> task(String job, String alloc, String task) {
        return Map.of("namespace", "default", "job", job, "task_group", "g", "task", task, "alloc_id", alloc, "alloc_index", "0");
    }
}
