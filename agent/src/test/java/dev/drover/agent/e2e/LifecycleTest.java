package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.testing.ProcScan;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Restart policy, stop of a whole process tree, signal and restart requests, plugin counts. */
class LifecycleTest extends AgentTestBase {

    @Test
    void failingTaskIsRestartedAttemptsTimesThenMarkedFailed() throws Exception {
        String alloc = agent.run("""
                job "flaky" {
                  group "g" {
                    restart {
                      attempts = 2
                      interval = "10m"
                      delay    = "200ms"
                      mode     = "fail"
                    }
                    task "boom" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo attempt; exit 3"]
                      }
                    }
                  }
                }
                """).getFirst();
        var state = agent.await(alloc, "boom", s -> s.path("State").asString().equals("dead"), "dead");
        assertTrue(state.path("Failed").asBoolean(), state.toString());
        assertEquals(2, state.path("Restarts").asInt());
        var types = AgentFixture.eventTypes(state);
        assertEquals(2, Collections.frequency(types, "Restarting"), types.toString());
        assertEquals("Not Restarting", types.getLast(), types.toString());
        var last = state.path("Events").get(state.path("Events").size() - 1);
        assertTrue(last.path("FailsTask").asBoolean());
        assertEquals("Exceeded allowed attempts 2 in interval 10m and mode is \"fail\"", last.path("DisplayMessage").asString());
        // Exit code shows in the Terminated events.
        assertTrue(state.path("Events").valueStream().anyMatch(e -> e.path("Type").asString().equals("Terminated")
                && e.path("ExitCode").asInt() == 3));
        assertEquals("failed", agent.alloc(alloc).path("ClientStatus").asString());
        // All three runs wrote into the same log, through the one logmon the task had.
        assertEquals("attempt\nattempt\nattempt\n", agent.logs(alloc, "boom", "stdout", ""));
        agent.awaitTaskPluginsReleased();
    }

    @Test
    void oneLogmonPerTaskAcrossRestarts() throws Exception {
        String alloc = agent.run("""
                job "svc" {
                  group "g" {
                    restart {
                      attempts = 5
                      delay    = "100ms"
                    }
                    task "short" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "sleep 0.3; exit 1"]
                      }
                    }
                  }
                }
                """).getFirst();
        long maxSeen = 0;
        long deadline = System.currentTimeMillis() + 20_000;
        while (agent.taskState(alloc, "short").path("Restarts").asInt() < 3 && System.currentTimeMillis() < deadline) {
            maxSeen = Math.max(maxSeen, agent.pluginProcesses("logmon"));
            Thread.sleep(20);
        }
        assertTrue(agent.taskState(alloc, "short").path("Restarts").asInt() >= 3);
        assertEquals(1, maxSeen, "exactly one logmon process for the task across its restarts");
    }

    @Test
    void jobStopKillsTheWholeTreeIncludingTermIgnoringGrandchildren() throws Exception {
        String marker = "9" + Math.abs(UUID.randomUUID().getMostSignificantBits() % 100000);
        String alloc = agent.run("""
                job "tree" {
                  group "g" {
                    task "parent" {
                      driver       = "raw_exec"
                      kill_timeout = "1s"
                      kill_signal  = "SIGTERM"
                      config {
                        command = "/bin/sh"
                        args = ["-c", "trap '' TERM; (trap '' TERM; sleep MARK) & (sleep MARK; true) & setsid sleep MARK & echo started; wait"]
                      }
                    }
                  }
                }
                """.replace("MARK", marker)).getFirst();
        agent.awaitLog(alloc, "parent", "stdout", "started");
        // The background jobs exec their sleeps a moment after "started" is printed.
        List<ProcScan.Proc> sleeps = List.of();
        for (long end = System.currentTimeMillis() + 5_000; sleeps.size() < 3 && System.currentTimeMillis() < end; Thread.sleep(20)) {
            sleeps = ProcScan.withCmdline("sleep " + marker).stream().filter(p -> p.cmdline().startsWith("sleep ")).toList();
        }
        assertEquals(3, sleeps.size(), "three grandchildren running: " + sleeps);
        long t0 = System.nanoTime();
        var stop = agent.call("DELETE", "/v1/job/tree", null);
        assertEquals(200, stop.status(), stop.body());
        var state = agent.awaitState(alloc, "parent", "dead");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        var types = AgentFixture.eventTypes(state);
        assertTrue(types.containsAll(java.util.List.of("Killing", "Terminated", "Killed")), types.toString());
        assertTrue(tookMs >= 900, "kill_timeout of 1s was honoured before the SIGKILL: " + tookMs + " ms");
        ProcScan.awaitGone("sleep " + marker, 5_000);
        agent.awaitTaskPluginsReleased();
        assertEquals("dead", agent.get("/v1/job/tree").path("Status").asString());
    }

    @Test
    void signalAndRestartThroughTheApi() throws Exception {
        String alloc = agent.run("""
                job "sig" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args = ["-c", "trap 'echo got-hup' HUP; echo ready; while true; do sleep 0.1; done"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "t", "running");
        agent.awaitLog(alloc, "t", "stdout", "ready");
        var r = agent.call("POST", "/v1/client/allocation/" + alloc + "/signal", "{\"Task\":\"t\",\"Signal\":\"SIGHUP\"}");
        assertEquals(200, r.status(), r.body() + agent.taskState(alloc, "t"));
        agent.awaitLog(alloc, "t", "stdout", "got-hup");
        var bad = agent.call("POST", "/v1/client/allocation/" + alloc + "/signal", "{\"Task\":\"t\",\"Signal\":\"SIGWHAT\"}");
        assertEquals(400, bad.status());
        assertTrue(bad.body().contains("SIGWHAT"), bad.body());

        var restart = agent.call("POST", "/v1/client/allocation/" + alloc + "/restart", "{\"TaskName\":\"t\"}");
        assertEquals(200, restart.status(), restart.body() + agent.taskState(alloc, "t"));
        var state = agent.await(alloc, "t", s -> s.path("Restarts").asInt() == 1 && s.path("State").asString().equals("running"), "restarted");
        var types = AgentFixture.eventTypes(state);
        assertTrue(types.contains("Restart Signaled"), types.toString());
        assertEquals(2, Collections.frequency(types, "Started"), types.toString());
        assertTrue(!state.path("Failed").asBoolean());
    }
}
