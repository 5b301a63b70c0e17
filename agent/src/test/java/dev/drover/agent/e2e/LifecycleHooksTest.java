package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Task lifecycle hooks (prestart, poststart, poststop; sidecars), leader tasks, failing siblings and
 * shutdown_delay, with real processes: the order shows in a file the tasks append to and in the
 * event times.
 */
class LifecycleHooksTest extends AgentTestBase {
    /** Appends "<word> <unix nanos>" to the allocation's shared order file. */
    private static final String NOTE = "note() { echo \\\"$1 $(date +%s%N)\\\" >> \\\"$NOMAD_ALLOC_DIR/order\\\"; }; ";

    private static String task(String name, String lifecycle, String script) {
        return """
                    task "%s" {
                      driver = "raw_exec"
                      kill_timeout = "2s"
                      %s
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "%s"]
                      }
                    }
                """.formatted(name, lifecycle, NOTE + script);
    }

    private JsonNode awaitState(String alloc, String task, String state) throws Exception {
        return LongAwait.state(agent, alloc, task, state);
    }

    private List<String> order(String alloc) throws Exception {
        Path file = dir.resolve("alloc").resolve(alloc).resolve("alloc/order");
        return Files.readAllLines(file).stream().map(l -> l.split(" ")[0]).toList();
    }

    private static long eventTime(JsonNode state, String type) {
        for (var e : state.path("Events")) if (e.path("Type").asString().equals(type)) return e.path("Time").asLong();
        throw new AssertionError("no " + type + " event in " + AgentFixture.eventTypes(state));
    }

    @Test
    void prestartThenMainThenPoststartAndPoststopAfterStop() throws Exception {
        String alloc = agent.run("job \"hooks\" {\n  group \"g\" {\n    restart {\n      attempts = 3\n      delay = \"100ms\"\n    }\n"
                + task("init", "lifecycle {\n hook = \"prestart\"\n }", "note init-begin; sleep 0.5; note init-end")
                + task("side", "lifecycle {\n hook = \"prestart\"\n sidecar = true\n }", "note side; exec sleep 1000")
                + task("main", "", "note main; exec sleep 1000")
                + task("after", "lifecycle {\n hook = \"poststart\"\n }", "note poststart")
                + task("cleanup", "lifecycle {\n hook = \"poststop\"\n }", "note poststop")
                + "  }\n}\n").getFirst();
        awaitState(alloc, "main", "running");
        var after = awaitState(alloc, "after", "dead");
        var init = awaitState(alloc, "init", "dead");
        var main = awaitState(alloc, "main", "running");
        var side = awaitState(alloc, "side", "running");
        var order = order(alloc);
        assertTrue(order.indexOf("init-end") < order.indexOf("main"), order.toString());
        assertTrue(order.indexOf("side") < order.indexOf("main"), order.toString());
        assertTrue(order.indexOf("main") < order.indexOf("poststart"), order.toString());
        assertFalse(order.contains("poststop"), "poststop waits for the stop: " + order);
        assertTrue(eventTime(main, "Started") >= eventTime(init, "Terminated"));
        assertTrue(eventTime(after, "Started") >= eventTime(main, "Started"));
        // Ephemeral hooks that exited 0 are done, not restarted, although this is a service job.
        for (var ephemeral : List.of(init, after)) {
            assertEquals(0, ephemeral.path("Restarts").asInt(), ephemeral.toString());
            assertFalse(ephemeral.path("Failed").asBoolean());
        }
        assertEquals(0, side.path("Restarts").asInt());

        assertEquals(200, agent.call("DELETE", "/v1/job/hooks", null).status());
        var cleanup = awaitState(alloc, "cleanup", "dead");
        main = awaitState(alloc, "main", "dead");
        side = awaitState(alloc, "side", "dead");
        assertEquals("poststop", order(alloc).getLast(), order(alloc).toString());
        assertTrue(eventTime(cleanup, "Started") >= eventTime(main, "Killed"));
        assertTrue(eventTime(cleanup, "Started") >= eventTime(side, "Killed"));
        assertFalse(cleanup.path("Failed").asBoolean());
        assertEquals("complete", agent.alloc(alloc).path("ClientStatus").asString());
        agent.awaitTaskPluginsReleased();
    }

    @Test
    void sidecarsAreStoppedWhenTheMainTasksAreDoneThenPoststopRuns() throws Exception {
        String alloc = agent.run("job \"batchy\" {\n  type = \"batch\"\n  group \"g\" {\n"
                + task("side", "lifecycle {\n hook = \"prestart\"\n sidecar = true\n }", "note side; exec sleep 1000")
                + task("main", "", "note main; sleep 0.3; note main-end")
                + task("cleanup", "lifecycle {\n hook = \"poststop\"\n }", "note poststop")
                + "  }\n}\n").getFirst();
        var cleanup = awaitState(alloc, "cleanup", "dead");
        var side = awaitState(alloc, "side", "dead");
        var types = AgentFixture.eventTypes(side);
        assertTrue(types.containsAll(List.of("Main Tasks Dead", "Killing", "Killed")), types.toString());
        assertTrue(types.indexOf("Main Tasks Dead") < types.indexOf("Killing"), types.toString());
        assertEquals(List.of("side", "main", "main-end", "poststop"), order(alloc));
        assertTrue(eventTime(cleanup, "Started") >= eventTime(side, "Killed"));
        assertEquals("complete", agent.alloc(alloc).path("ClientStatus").asString());
    }

    @Test
    void whenTheLeaderEndsItsSiblingsAreStopped() throws Exception {
        String marker = "follow" + UUID.randomUUID().toString().substring(0, 8);
        String alloc = agent.run("""
                job "lead" {
                  type = "batch"
                  group "g" {
                    task "leader" {
                      driver = "raw_exec"
                      leader = true
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "sleep 0.5"]
                      }
                    }
                    task "follower" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "sleep 1000; echo MARK"]
                      }
                    }
                  }
                }
                """.replace("MARK", marker)).getFirst();
        var follower = awaitState(alloc, "follower", "dead");
        var types = AgentFixture.eventTypes(follower);
        assertTrue(types.containsAll(List.of("Leader Task Dead", "Killing", "Killed")), types.toString());
        assertTrue(types.indexOf("Leader Task Dead") < types.indexOf("Killing"), types.toString());
        assertFalse(follower.path("Failed").asBoolean());
        var leader = agent.taskState(alloc, "leader");
        assertFalse(AgentFixture.eventTypes(leader).contains("Killing"), "the leader ended by itself");
        ProcScan.awaitGone(marker, 5_000);
        assertEquals("complete", agent.alloc(alloc).path("ClientStatus").asString());
    }

    @Test
    void aFailedPrestartTaskFailsTheGroupAndMainNeverStarts() throws Exception {
        String alloc = agent.run("job \"badinit\" {\n  group \"g\" {\n    restart {\n      attempts = 0\n      mode = \"fail\"\n    }\n"
                + task("init", "lifecycle {\n hook = \"prestart\"\n }", "note init; exit 7")
                + task("main", "", "note main; exec sleep 1000")
                + "  }\n}\n").getFirst();
        var main = awaitState(alloc, "main", "dead");
        var types = AgentFixture.eventTypes(main);
        assertTrue(types.contains("Sibling Task Failed"), types.toString());
        assertFalse(types.contains("Started"), "main must not start after a failed prestart task: " + types);
        var sibling = main.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Sibling Task Failed"))
                .findFirst().orElseThrow();
        assertEquals("init", sibling.path("Details").path("failed_sibling").asString());
        assertTrue(agent.taskState(alloc, "init").path("Failed").asBoolean());
        assertEquals(List.of("init"), order(alloc));
        assertEquals("failed", agent.alloc(alloc).path("ClientStatus").asString());
    }

    @Test
    void shutdownDelayIsWaitedBeforeTheKillSignal() throws Exception {
        String alloc = agent.run("""
                job "delayed" {
                  group "g" {
                    task "t" {
                      driver         = "raw_exec"
                      shutdown_delay = "1500ms"
                      kill_signal    = "SIGTERM"
                      kill_timeout   = "5s"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "trap 'date +%s%N > $NOMAD_ALLOC_DIR/term; exit 0' TERM; echo ready; while true; do sleep 0.05; done"]
                      }
                    }
                  }
                }
                """).getFirst();
        awaitState(alloc, "t", "running"); // a stop before that kills at once: nothing ran long enough to deregister
        agent.awaitLog(alloc, "t", "stdout", "ready");
        long t0 = System.nanoTime();
        assertEquals(200, agent.call("DELETE", "/v1/job/delayed", null).status());
        var state = awaitState(alloc, "t", "dead");
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(tookMs >= 1500, "the stop waited the shutdown_delay: " + tookMs + " ms");
        var types = AgentFixture.eventTypes(state);
        assertTrue(types.indexOf("Killing") < types.indexOf("Waiting for shutdown delay")
                && types.indexOf("Waiting for shutdown delay") < types.indexOf("Killed"), types.toString());
        long waitingAt = eventTime(state, "Waiting for shutdown delay");
        long termAt = Long.parseLong(Files.readString(dir.resolve("alloc").resolve(alloc).resolve("alloc/term")).trim());
        assertTrue(termAt - waitingAt >= 1_500_000_000L, "SIGTERM came " + (termAt - waitingAt) / 1_000_000 + " ms after the delay began");
    }
}
