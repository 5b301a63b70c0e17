package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.docker.DockerFixture;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import tools.jackson.databind.JsonNode;

/**
 * The docker driver through a real agent against a private dockerd and a local registry: pull
 * with events, docker_logger into `alloc logs`, ports and env, stop, exit codes, agent restart.
 */
class DockerJobTest extends AgentTestBase {
    @RegisterExtension
    static final DockerFixture docker = DockerFixture.perClass("e2e", 8);

    @Override
    Map<String, Map<String, Object>> plugins() {
        return Map.of("docker", Map.of("endpoint", docker.endpoint()));
    }

    private static List<String> messages(JsonNode state, String type) {
        var out = new ArrayList<String>();
        state.path("Events").forEach(e -> {
            if (e.path("Type").asString().equals(type)) out.add(e.path("DisplayMessage").asString());
        });
        return out;
    }

    private void awaitNoContainers() throws Exception {
        long deadline = System.currentTimeMillis() + 15_000;
        while (!docker.droverContainers().isEmpty()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("containers left: " + docker.droverContainers());
            Thread.sleep(50);
        }
    }

    @Test
    void pullsFromTheRegistryRunsAndSeparatesStdoutAndStderrInAllocLogs() throws Exception {
        // An image of its own, absent from the engine: the pull downloads every layer.
        String fresh = docker.pushImage("pull-" + placement.configName(), "1", 8);
        String alloc = agent.run("""
                job "pull" {
                  type = "batch"
                  group "g" {
                    network {
                      port "http" { to = 8080 }
                    }
                    task "t" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "echo out; echo err >&2; echo port=$NOMAD_PORT_http task=$NOMAD_TASK_DIR; ls -d /alloc/data /local /secrets"]
                        ports        = ["http"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(fresh)).getFirst();
        var state = agent.awaitState(alloc, "t", "dead");
        assertFalse(state.path("Failed").asBoolean(), state.toString());
        var driverEvents = messages(state, "Driver");
        assertEquals("Downloading image " + fresh, driverEvents.getFirst(), state.toString());
        assertTrue(driverEvents.getLast().matches("Pulled \\d+\\.\\d MB of \\d+\\.\\d MB"), driverEvents.toString());
        assertEquals("out\nport=8080 task=/local\n/alloc/data\n/local\n/secrets\n", agent.awaitLog(alloc, "t", "stdout", "/secrets\n"));
        assertEquals("err\n", agent.logs(alloc, "t", "stderr", ""));
        // DriverNetwork from StartTask, kept in the task state: network_mode "none" gives no address,
        // the port map names the container port of each label
        var network = state.path("DriverNetwork");
        assertEquals("", network.path("IP").asString(), state.toString());
        assertEquals(8080, network.path("PortMap").path("http").asInt(), state.toString());
        assertEquals(1, network.path("PortMap").size(), state.toString());
        awaitNoContainers();
    }

    /** docker_logger writes into logmon's fifos: the log counters count a container's output exactly too. */
    @Test
    void logCountersMatchWhatTheContainerWrote() throws Exception {
        String alloc = agent.run("""
                job "chatty" {
                  group "g" {
                    task "t" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "seq 1 20000; seq 1 300 >&2; exec sleep 600"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(docker.image())).getFirst();
        agent.awaitState(alloc, "t", "running");
        LogCounters.await(agent, LogCounters.task("chatty", alloc, "t"),
                new LogCounters.Expected(LogCounters.seqBytes(20_000), 20_000),
                new LogCounters.Expected(LogCounters.seqBytes(300), 300));
        assertEquals(200, agent.call("DELETE", "/v1/job/chatty", null).status());
        agent.awaitState(alloc, "t", "dead");
        awaitNoContainers();
    }

    @Test
    void metricsAndTheStatsApiShowAContainersMemoryAndCpuWithItsPullTagged() throws Exception {
        String fresh = docker.pushImage("stats-" + placement.configName(), "1", 4);
        String alloc = agent.run("""
                job "dstats" {
                  group "g" {
                    task "hog" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "x=$(head -c 62914560 /dev/zero | busybox tr '\\\\0' x); echo ready; while :; do sleep 1; done"]
                        network_mode = "none"
                      }
                      resources {
                        memory = 512
                      }
                    }
                    task "spin" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "while :; do :; done"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(fresh, fresh)).getFirst();
        agent.awaitLog(alloc, "hog", "stdout", "ready");
        agent.awaitState(alloc, "spin", "running");
        var scrapes = new Scrapes(agent);
        var hog = Scrapes.task("dstats", alloc, "hog");
        var spin = Scrapes.task("dstats", alloc, "spin");
        scrapes.await("drover_task_memory_rss_bytes", hog, v -> v >= 50 << 20, ">= 50 MiB");
        double cpu0 = scrapes.await("drover_task_cpu_seconds_total", spin, v -> v > 0, "> 0").value();
        scrapes.await("drover_task_cpu_seconds_total", spin, v -> v > cpu0 + 0.5, "0.5 s above " + cpu0);
        scrapes.await("drover_task_cpu_percent", spin, v -> v > 5, "> 5% of a core");

        var stats = agent.get("/v1/client/allocation/" + alloc + "/stats");
        assertTrue(stats.path("Tasks").path("hog").path("ResourceUsage").path("MemoryStats").path("RSS").asLong() >= 50 << 20, stats.toString());
        assertTrue(stats.path("Tasks").path("spin").path("ResourceUsage").path("CpuStats").path("Percent").asDouble()
                > stats.path("Tasks").path("hog").path("ResourceUsage").path("CpuStats").path("Percent").asDouble(), stats.toString());

        // The driver's own series, tagged with the task: one task pulled the image, the other found it.
        var scrape = scrapes.checkedScrape();
        var pulled = 0.0;
        for (String task : List.of("hog", "spin")) {
            var labels = new java.util.HashMap<>(Scrapes.task("dstats", alloc, task));
            labels.put("driver", "docker");
            pulled += scrape.samples("drover_driver_image_pull_bytes_total", labels).stream().mapToDouble(s -> s.value()).sum();
            assertEquals(1.0, Scrapes.named(scrape.samples("drover_driver_container_start_seconds", labels),
                    "drover_driver_container_start_seconds_count"), task);
        }
        assertTrue(pulled >= 4_000_000, "the 4 MiB layer, counted once: " + pulled);
        assertTrue(pulled < 2 * 4_400_000, "not counted for both tasks: " + pulled);
        agent.call("DELETE", "/v1/job/dstats", null);
        awaitNoContainers();
    }

    @Test
    void anOomKilledContainerIsCounted() throws Exception {
        String alloc = agent.run("""
                job "doom" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 0
                      mode     = "fail"
                    }
                    task "hog" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "tail /dev/zero"]
                        network_mode = "none"
                      }
                      resources {
                        memory = 16
                      }
                    }
                  }
                }
                """.formatted(docker.image())).getFirst();
        var state = agent.awaitState(alloc, "hog", "dead");
        boolean oom = false;
        for (var e : state.path("Events")) {
            oom |= e.path("Type").asString().equals("Terminated") && e.path("Details").path("oom_killed").asString().equals("true");
        }
        assertTrue(oom, state.toString());
        assertEquals(1.0, new Scrapes(agent).scrape().samples("drover_task_oom_kills_total", Scrapes.task("doom", alloc, "hog")).getFirst().value());
        awaitNoContainers();
    }

    @Test
    void exitCodeIsReportedAndTheContainerRemoved() throws Exception {
        String alloc = agent.run("""
                job "code" {
                  type = "batch"
                  group "g" {
                    restart { attempts = 0 }
                    task "t" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "exit 3"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(docker.image())).getFirst();
        var state = agent.awaitState(alloc, "t", "dead");
        assertTrue(state.path("Failed").asBoolean(), state.toString());
        var terminated = new ArrayList<Integer>();
        state.path("Events").forEach(e -> {
            if (e.path("Type").asString().equals("Terminated")) terminated.add(e.path("ExitCode").asInt());
        });
        assertEquals(List.of(3), terminated, state.toString());
        awaitNoContainers();
    }

    @Test
    void jobStopSendsTheKillSignalThenKillsAfterTheTimeout() throws Exception {
        String alloc = agent.run("""
                job "stop" {
                  group "g" {
                    task "polite" {
                      driver = "docker"
                      kill_signal = "SIGUSR1"
                      config {
                        image        = "%1$s"
                        command      = "/bin/sh"
                        args         = ["-c", "trap 'echo got-usr1; exit 0' USR1; echo up; while true; do sleep 0.1; done"]
                        network_mode = "none"
                      }
                    }
                    task "stubborn" {
                      driver = "docker"
                      kill_timeout = "1s"
                      config {
                        image        = "%1$s"
                        command      = "/bin/sh"
                        args         = ["-c", "trap '' TERM INT; echo up; while true; do sleep 0.1; done"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(docker.image())).getFirst();
        agent.awaitLog(alloc, "polite", "stdout", "up");
        agent.awaitLog(alloc, "stubborn", "stdout", "up");
        assertEquals(2, docker.droverContainers().size());
        long t0 = System.nanoTime();
        assertEquals(200, agent.call("DELETE", "/v1/job/stop", null).status());
        agent.awaitState(alloc, "polite", "dead");
        var stubborn = agent.awaitState(alloc, "stubborn", "dead");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals("up\ngot-usr1\n", agent.awaitLog(alloc, "polite", "stdout", "got-usr1"));
        assertTrue(stubborn.toString().contains("\"ExitCode\":137"), "SIGKILLed after kill_timeout: " + stubborn);
        assertTrue(tookMs >= 900 && tookMs < 15_000, "stopped after the 1 s kill_timeout, took " + tookMs + " ms");
        awaitNoContainers();
    }

    @Test
    void aPortOnTheHostNetworkAnswersOn127001() throws Exception {
        String alloc = agent.run("""
                job "web" {
                  group "g" {
                    network {
                      port "http" {}
                    }
                    task "httpd" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "mkdir -p /tmp/www && echo hello-from-docker > /tmp/www/index.html && echo listening=$NOMAD_PORT_http && exec httpd -f -p 127.0.0.1:$NOMAD_PORT_http -h /tmp/www"]
                        ports        = ["http"]
                        network_mode = "host"
                      }
                    }
                  }
                }
                """.formatted(docker.image())).getFirst();
        String out = agent.awaitLog(alloc, "httpd", "stdout", "\n");
        int port = Integer.parseInt(out.strip().substring("listening=".length()));
        var http = HttpClient.newHttpClient();
        String body = "";
        long deadline = System.currentTimeMillis() + 10_000;
        while (System.currentTimeMillis() < deadline && !body.contains("hello")) {
            try {
                body = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString()).body();
            } catch (java.io.IOException notYet) {
                Thread.sleep(100);
            }
        }
        assertEquals("hello-from-docker\n", body);
        // the running task's state carries its DriverNetwork: host mode, no container address, and
        // the port label maps to the host port the task listens on. (The container may answer before
        // the agent recorded the start: await the running state.)
        var network = agent.awaitState(alloc, "httpd", "running").path("DriverNetwork");
        assertEquals("", network.path("IP").asString(), network.toString());
        assertEquals(port, network.path("PortMap").path("http").asInt(), network.toString());
        assertEquals(200, agent.call("DELETE", "/v1/job/web", null).status());
        agent.awaitState(alloc, "httpd", "dead");
        awaitNoContainers();
    }

    @Test
    void agentRestartKeepsLogsFlowingWithoutDuplicatesOrGaps() throws Exception {
        String hcl = """
                job "counter" {
                  group "g" {
                    task "t" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "i=0; while true; do i=$((i+1)); echo line-$i; sleep 0.02; done"]
                        network_mode = "none"
                      }
                    }
                  }
                }
                """.formatted(docker.image());
        String alloc = agent.run(hcl).getFirst();
        agent.awaitLog(alloc, "t", "stdout", "line-20\n");
        agent.leaveTasksRunning();
        Thread.sleep(1000); // the container writes on while no agent runs
        try (var second = new AgentFixture(dir, placement, plugins())) {
            agent = second;
            var state = second.awaitState(alloc, "t", "running");
            assertEquals(1, AgentFixture.eventTypes(state).stream().filter("Started"::equals).count(), state.toString());
            // the DriverNetwork of the start survives the restart (persisted with the task state)
            assertTrue(state.path("DriverNetwork").isObject(), state.toString());
            assertEquals(0, state.path("DriverNetwork").path("PortMap").size(), state.toString());
            String before = second.logs(alloc, "t", "stdout", "");
            int seen = before.split("\n").length;
            second.awaitLog(alloc, "t", "stdout", "line-" + (seen + 50) + "\n");
            assertEquals(200, second.call("DELETE", "/v1/job/counter", null).status());
            second.awaitState(alloc, "t", "dead");
            String all = second.logs(alloc, "t", "stdout", "");
            var lines = all.split("\n");
            for (int i = 0; i < lines.length; i++) {
                assertEquals("line-" + (i + 1), lines[i], "line " + (i + 1) + " of the log (no gap, no repeat)");
            }
            awaitNoContainers();
        }
        agent = new AgentFixture(dir, placement, plugins()); // for the base class to drain and close
    }
}
