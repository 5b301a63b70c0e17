package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.metrics.PromText;
import java.util.HashMap;
import java.util.Map;

/** Reads a task's log counters from the Prometheus scrape (and its JSON twin) and checks them exactly. */
final class LogCounters {
    private LogCounters() {}

    /** What one stream of a task must show: bytes and lines written, none dropped. */
    record Expected(long bytes, long lines) {}

    static Map<String, String> task(String job, String alloc, String task) {
        return Map.of("namespace", "default", "job", job, "task_group", "g", "task", task, "alloc_id", alloc, "alloc_index", "0");
    }

    /**
     * Scrapes until the stdout and stderr line counters reach the expected values (the sampler
     * reads logmon once a second), then checks all eight series of the task, in both formats.
     */
    static void await(AgentFixture agent, Map<String, String> task, Expected stdout, Expected stderr) throws Exception {
        var want = new HashMap<String, Double>();
        for (var stream : Map.of("stdout", stdout, "stderr", stderr).entrySet()) {
            want.put(key("drover_task_log_bytes_total", stream.getKey(), "written"), (double) stream.getValue().bytes());
            want.put(key("drover_task_log_lines_total", stream.getKey(), "written"), (double) stream.getValue().lines());
            want.put(key("drover_task_log_bytes_total", stream.getKey(), "dropped"), 0.0);
            want.put(key("drover_task_log_lines_total", stream.getKey(), "dropped"), 0.0);
        }
        long deadline = System.currentTimeMillis() + 30_000;
        Map<String, Double> got = Map.of();
        while (System.currentTimeMillis() < deadline) {
            var r = agent.call("GET", "/v1/metrics?format=prometheus", null);
            assertEquals(200, r.status(), r.body());
            var scrape = PromText.parse(r.body());
            got = series(scrape, task);
            if (got.equals(want)) {
                assertEquals("counter", scrape.family("drover_task_log_lines_total").type());
                assertEquals("counter", scrape.family("drover_task_log_bytes_total").type());
                assertJson(agent, task, want);
                return;
            }
            Thread.sleep(200);
        }
        fail("log counters of " + task + " never became " + want + "; last scrape: " + got);
    }

    private static String key(String name, String stream, String outcome) {
        return name + "{stream=" + stream + ",outcome=" + outcome + "}";
    }

    /** The task's log series, keyed by name, stream and outcome; a label set beyond those is an error. */
    private static Map<String, Double> series(PromText.Scrape scrape, Map<String, String> task) {
        var out = new HashMap<String, Double>();
        for (String name : new String[] {"drover_task_log_bytes_total", "drover_task_log_lines_total"}) {
            if (!scrape.families().containsKey(name)) continue;
            for (var s : scrape.samples(name, task)) {
                var extra = new HashMap<>(s.labels());
                extra.keySet().removeAll(task.keySet());
                assertEquals(java.util.Set.of("stream", "outcome"), extra.keySet(), "labels of " + s);
                out.put(key(name, extra.get("stream"), extra.get("outcome")), s.value());
            }
        }
        return out;
    }

    private static void assertJson(AgentFixture agent, Map<String, String> task, Map<String, Double> want) throws Exception {
        var got = new HashMap<String, Double>();
        for (var c : agent.get("/v1/metrics").path("Counters")) {
            String name = c.path("Name").asString();
            if (!name.startsWith("drover_task_log_")) continue;
            var labels = c.path("Labels");
            boolean ours = task.entrySet().stream().allMatch(e -> labels.path(e.getKey()).asString().equals(e.getValue()));
            if (ours) got.put(key(name, labels.path("stream").asString(), labels.path("outcome").asString()), c.path("Value").asDouble());
        }
        assertTrue(got.equals(want), "JSON /v1/metrics: " + got + ", expected " + want);
    }

    /** Bytes of {@code seq 1 n} (each number and its newline). */
    static long seqBytes(int n) {
        long bytes = 0;
        for (int i = 1; i <= n; i++) bytes += Integer.toString(i).length() + 1;
        return bytes;
    }
}
