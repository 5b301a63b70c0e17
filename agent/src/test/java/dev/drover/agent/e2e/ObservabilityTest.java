package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.metrics.PromText;
import dev.drover.sdk.rpc.Wire;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Metrics, stats and the event stream against real tasks: what a scrape reports must match what
 * the tasks really do (memory they hold, CPU they burn, an OOM kill, restarts, their events).
 */
class ObservabilityTest extends AgentTestBase {
    private static final long MB = 1024 * 1024;

    private PromText.Scrape scrape() throws Exception {
        return new Scrapes(agent).scrape();
    }

    private PromText.Sample awaitSample(String family, Map<String, String> labels, Predicate<Double> condition, String what)
            throws Exception {
        return new Scrapes(agent).await(family, labels, condition, what);
    }

    private static Map<String, String> task(String job, String alloc, String task) {
        return Scrapes.task(job, alloc, task);
    }

    @Test
    void memoryHeldByATaskShowsInTheScrapeTheStatsApiAndTheJson() throws Exception {
        String alloc = agent.run("""
                job "hog" {
                  group "g" {
                    task "mem" {
                      driver = "raw_exec"
                      config {
                        command = "/usr/bin/perl"
                        args    = ["-e", "$x = 'x' x (60*1024*1024); $| = 1; print qq(ready\\n); sleep 600"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitLog(alloc, "mem", "stdout", "ready");
        var labels = task("hog", alloc, "mem");
        var rss = awaitSample("drover_task_memory_rss_bytes", labels, v -> v >= 50 * MB, ">= 50 MB");
        assertEquals(labels, Map.copyOf(rss.labels()), "exactly the task's identity as labels");

        var scrape = new Scrapes(agent).checkedScrape();
        assertEquals("gauge", scrape.family("drover_task_memory_rss_bytes").type());
        assertFalse(scrape.family("drover_task_memory_rss_bytes").help().isEmpty());
        assertEquals("counter", scrape.family("drover_task_cpu_seconds_total").type());
        assertEquals("counter", scrape.family("drover_task_restarts_total").type());
        assertEquals("counter", scrape.family("drover_task_oom_kills_total").type());
        assertEquals(0.0, scrape.samples("drover_task_oom_kills_total", labels).getFirst().value());
        assertEquals(1.0, scrape.samples("drover_allocations", Map.of("status", "running")).getFirst().value());
        assertTrue(scrape.samples("drover_driver_task_starts_total", Map.of("driver", "raw_exec")).getFirst().value() >= 1);
        assertEquals("histogram", scrape.family("drover_driver_task_start_seconds").type());
        assertTrue(scrape.samples("drover_api_request_seconds", Map.of("route", "/v1/metrics", "le", "+Inf")).getFirst().value() >= 1);
        assertTrue(scrape.samples("drover_plugin_processes", Map.of()).stream().mapToDouble(PromText.Sample::value).sum() >= 1,
                "the task's plugins are counted");
        // The driver's own series: with the driver label before the task's identity.
        var launch = new java.util.HashMap<>(labels);
        launch.put("driver", "raw_exec");
        assertEquals("summary", scrape.family("drover_driver_executor_launch_seconds").type());
        var launchSamples = scrape.samples("drover_driver_executor_launch_seconds", launch);
        assertEquals(1.0, Scrapes.named(launchSamples, "drover_driver_executor_launch_seconds_count"), launchSamples.toString());
        assertTrue(Scrapes.named(launchSamples, "drover_driver_executor_launch_seconds_sum") > 0, launchSamples.toString());

        var stats = agent.get("/v1/client/allocation/" + alloc + "/stats");
        long statsRss = stats.path("Tasks").path("mem").path("ResourceUsage").path("MemoryStats").path("RSS").asLong();
        assertTrue(statsRss >= 50 * MB, stats.toString());
        assertTrue(stats.path("ResourceUsage").path("MemoryStats").path("RSS").asLong() >= statsRss, "the sum covers the task");
        assertTrue(stats.path("Tasks").path("mem").path("Timestamp").asLong() > 0);
        var one = agent.get("/v1/client/allocation/" + alloc + "/stats?task=mem");
        assertEquals(List.of("mem"), List.copyOf(one.path("Tasks").propertyNames()), one.toString());

        var json = agent.get("/v1/metrics");
        boolean found = false;
        for (var g : json.path("Gauges")) {
            if (g.path("Name").asString().equals("drover_task_memory_rss_bytes") && g.path("Labels").path("alloc_id").asString().equals(alloc)) {
                found = g.path("Value").asDouble() >= 50 * MB;
            }
        }
        assertTrue(found, "JSON form has the same series: " + json);
        boolean launchInJson = false;
        for (var sm : json.path("Samples")) {
            if (sm.path("Name").asString().equals("drover_driver_executor_launch_seconds") && sm.path("Labels").path("alloc_id").asString().equals(alloc)) {
                launchInJson = sm.path("Count").asLong() == 1 && sm.path("Labels").path("driver").asString().equals("raw_exec");
            }
        }
        assertTrue(launchInJson, "JSON form has the driver's series: " + json);
    }

    @Test
    void cpuOfABusyLoopRisesAboveAnIdleTask() throws Exception {
        // Judged against an idle sibling, not a fixed share of a core: the node may be busy.
        String alloc = agent.run("""
                job "spin" {
                  group "g" {
                    task "loop" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "while :; do :; done"]
                      }
                    }
                    task "idle" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sleep"
                        args    = ["600"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "loop", "running");
        agent.awaitState(alloc, "idle", "running");
        var loop = task("spin", alloc, "loop");
        var idle = task("spin", alloc, "idle");
        double first = awaitSample("drover_task_cpu_seconds_total", loop, v -> v > 0, "> 0").value();
        double second = awaitSample("drover_task_cpu_seconds_total", loop, v -> v > first + 0.5, "0.5s above " + first).value();
        assertTrue(second > first + 0.5);
        var scrape = scrape();
        double idleCpu = scrape.samples("drover_task_cpu_seconds_total", idle).getFirst().value();
        double loopCpu = scrape.samples("drover_task_cpu_seconds_total", loop).getFirst().value();
        assertTrue(loopCpu > 10 * idleCpu + 0.5, "busy " + loopCpu + "s vs idle " + idleCpu + "s");
        double loopPercent = awaitSample("drover_task_cpu_percent", loop, v -> v > 5, "> 5% of a core").value();
        assertTrue(loopPercent > scrape().samples("drover_task_cpu_percent", idle).getFirst().value());
        var stats = agent.get("/v1/client/allocation/" + alloc + "/stats");
        double statsLoop = stats.path("Tasks").path("loop").path("ResourceUsage").path("CpuStats").path("Percent").asDouble();
        double statsIdle = stats.path("Tasks").path("idle").path("ResourceUsage").path("CpuStats").path("Percent").asDouble();
        assertTrue(statsLoop > statsIdle, stats.toString());

        var host = agent.get("/v1/client/stats");
        assertTrue(host.path("Memory").path("Total").asLong() > 0, host.toString());
        assertEquals(Runtime.getRuntime().availableProcessors(), host.path("CPU").size(), host.toString());
        assertTrue(host.path("DiskStats").get(0).path("Size").asLong() > 0, host.toString());
    }

    @Test
    void anOomKillIsCounted() throws Exception {
        String alloc = agent.run("""
                job "oom" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 0
                      mode     = "fail"
                    }
                    task "hog" {
                      driver = "exec"
                      config {
                        command = "/usr/bin/perl"
                        args    = ["-e", "$x = 'x' x (200*1024*1024); sleep 5"]
                      }
                      resources {
                        memory = 32
                      }
                    }
                  }
                }
                """).getFirst();
        var state = agent.awaitState(alloc, "hog", "dead");
        JsonNode terminated = null;
        for (var e : state.path("Events")) if (e.path("Type").asString().equals("Terminated")) terminated = e;
        assertTrue(terminated != null && terminated.path("Details").path("oom_killed").asString().equals("true"), state.toString());
        var labels = task("oom", alloc, "hog");
        assertEquals(1.0, scrape().samples("drover_task_oom_kills_total", labels).getFirst().value());
    }

    @Test
    void restartsAreCounted() throws Exception {
        String alloc = agent.run("""
                job "flaky" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 1
                      delay    = "100ms"
                      mode     = "fail"
                    }
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "exit 3"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.await(alloc, "t", s -> s.path("State").asString("").equals("dead") && s.path("Failed").asBoolean(), "failed");
        assertEquals(1.0, scrape().samples("drover_task_restarts_total", task("flaky", alloc, "t")).getFirst().value());
        // The sampler's last reading of the task goes with its next round (once a second).
        long deadline = System.currentTimeMillis() + 5_000;
        while (!scrape().samples("drover_task_memory_rss_bytes", task("flaky", alloc, "t")).isEmpty() && System.currentTimeMillis() < deadline) {
            Thread.sleep(100);
        }
        assertEquals(0.0, scrape().samples("drover_task_memory_rss_bytes", task("flaky", alloc, "t")).size(),
                "a dead task has no usage gauges");
    }

    @Test
    void theEventStreamDeliversATasksEventsInOrderFilteredByJob() throws Exception {
        var http = HttpClient.newHttpClient();
        var lines = new LinkedBlockingQueue<String>();
        var request = HttpRequest.newBuilder(URI.create(agent.agent.address() + "/v1/event/stream?topic=Task&topic=Allocation&job=evjob")).build();
        var response = http.sendAsync(request, HttpResponse.BodyHandlers.ofLines());
        var reader = Thread.ofVirtual().start(() -> {
            try {
                response.get().body().forEach(lines::add);
            } catch (Exception e) {
                // closed by the test
            }
        });
        agent.run("""
                job "other" {
                  type = "batch"
                  group "g" {
                    task "x" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/true"
                      }
                    }
                  }
                }
                """);
        String alloc = agent.run("""
                job "evjob" {
                  type = "batch"
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo hi"]
                      }
                    }
                  }
                }
                """).getFirst();
        var state = agent.awaitState(alloc, "t", "dead");
        var expected = AgentFixture.eventTypes(state);

        var taskEvents = new ArrayList<String>();
        var allocStatuses = new ArrayList<String>();
        long lastIndex = 0;
        long deadline = System.currentTimeMillis() + 30_000;
        while (taskEvents.size() < expected.size() || !allocStatuses.contains("complete")) {
            String line = lines.poll(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            if (line == null) fail("stream gave task events " + taskEvents + " and alloc statuses " + allocStatuses + "; expected " + expected);
            var node = Wire.JSON.readTree(line);
            for (var e : node.path("Events")) {
                assertTrue(e.path("Index").asLong() > lastIndex, "indexes increase: " + line);
                lastIndex = e.path("Index").asLong();
                assertEquals("evjob", e.path("FilterKeys").get(0).asString(), "only the job asked for: " + line);
                assertEquals(alloc, e.path("Key").asString());
                switch (e.path("Topic").asString()) {
                    case "Task" -> taskEvents.add(e.path("Payload").path("Task").path("Event").path("Type").asString());
                    case "Allocation" -> allocStatuses.add(e.path("Payload").path("Allocation").path("ClientStatus").asString());
                    default -> fail("unexpected topic: " + line);
                }
            }
        }
        assertEquals(expected, taskEvents, "the task's events, in order");
        assertEquals("complete", allocStatuses.getLast());
        response.cancel(true);
        reader.interrupt();
    }

    @Test
    void badQueryParametersAreClear400s() throws Exception {
        var cases = Map.of(
                "/v1/metrics?format=xml", "format must be \"prometheus\" or \"json\"",
                "/v1/event/stream?topic=Jobs", "topic \"Jobs\" is unknown; topics: Allocation, Task or *",
                "/v1/event/stream?topic=Task:", "expected Topic or Topic:Key",
                "/v1/event/stream?index=abc", "query parameter index must be a whole number",
                "/v1/event/stream?index=-1", "index must not be negative");
        for (var c : cases.entrySet()) {
            var r = agent.call("GET", c.getKey(), null);
            assertEquals(400, r.status(), c.getKey() + " -> " + r.body());
            assertTrue(r.body().contains(c.getValue()), c.getKey() + " -> " + r.body());
        }
        var missing = agent.call("GET", "/v1/client/allocation/0000dead/stats", null);
        assertEquals(404, missing.status(), missing.body());
        String alloc = agent.run("""
                job "one" {
                  type = "batch"
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/true"
                      }
                    }
                  }
                }
                """).getFirst();
        var noTask = agent.call("GET", "/v1/client/allocation/" + alloc + "/stats?task=nope", null);
        assertEquals(404, noTask.status(), noTask.body());
        assertTrue(noTask.body().contains("task \"nope\" not found"), noTask.body());
    }
}
