package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import dev.drover.sdk.plugin.PluginPlacement;

/** State survives an agent restart: a new agent on the same data dir reattaches instead of starting again. */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class AgentRestartTest {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    @Test
    void newAgentReattachesToRunningTaskAndLogsKeepFlowing() throws Exception {
        String marker = "restart-" + UUID.randomUUID().toString().substring(0, 8);
        String alloc;
        int taskPid;
        var first = new AgentFixture(dir, placement);
        try {
            alloc = first.run("""
                    job "survivor" {
                      group "g" {
                        task "t" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "i=0; while true; do i=$((i+1)); echo line $i MARK; sleep 0.05; done"]
                          }
                        }
                      }
                    }
                    """.replace("MARK", marker)).getFirst();
            first.awaitState(alloc, "t", "running");
            first.awaitLog(alloc, "t", "stdout", "line 3 ");
            taskPid = ProcScan.withCmdline(marker).getFirst().pid();
        } finally {
            first.leaveTasksRunning();
        }
        Thread.sleep(500); // the task writes on while no agent runs
        assertEquals(1, ProcScan.withCmdline(marker).size(), "the task outlives the agent");

        try (var second = new AgentFixture(dir, placement)) {
            var state = second.awaitState(alloc, "t", "running");
            assertEquals(1, AgentFixture.eventTypes(state).stream().filter("Started"::equals).count(),
                    "reattached, not started a second time: " + AgentFixture.eventTypes(state));
            assertEquals(taskPid, ProcScan.withCmdline(marker).getFirst().pid());
            assertEquals(1, second.pluginProcesses("logmon"), "logmon reattached, not relaunched");
            // No line is lost or duplicated across the gap.
            String before = second.logs(alloc, "t", "stdout", "");
            String[] lines = before.split("\n");
            for (int i = 0; i < lines.length - 1; i++) {
                assertEquals("line " + (i + 1) + " " + marker, lines[i], "line " + (i + 1));
            }
            assertTrue(lines.length > 10, "lines written while no agent ran are there: " + lines.length);
            assertEquals(200, second.call("DELETE", "/v1/job/survivor", null).status());
            second.awaitState(alloc, "t", "dead");
            ProcScan.awaitGone(marker, 10_000);
            second.awaitTaskPluginsReleased();
        }
    }

    @Test
    void completedTaskIsNotRunAgainAfterRestart() throws Exception {
        String alloc;
        try (var first = new AgentFixture(dir, placement)) {
            alloc = first.run("""
                    job "once" {
                      type = "batch"
                      group "g" {
                        task "t" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/echo"
                            args    = ["ran"]
                          }
                        }
                      }
                    }
                    """).getFirst();
            first.awaitState(alloc, "t", "dead");
        }
        try (var second = new AgentFixture(dir, placement)) {
            Thread.sleep(1000);
            var state = second.taskState(alloc, "t");
            assertEquals("dead", state.path("State").asString());
            assertEquals(1, AgentFixture.eventTypes(state).stream().filter("Started"::equals).count());
            assertEquals("ran\n", second.logs(alloc, "t", "stdout", ""));
            assertEquals("complete", second.alloc(alloc).path("ClientStatus").asString());
        }
    }

    /**
     * The task exits (code 7) while no agent runs: the next agent reports that very exit code, and
     * the restart policy then acts on it (one restart, whose run succeeds).
     */
    @Test
    void aTaskThatExitedWhileNoAgentRanReportsItsExitCodeAndFollowsItsRestartPolicy() throws Exception {
        String marker = "gone-" + UUID.randomUUID().toString().substring(0, 8);
        String alloc;
        Path local;
        var first = new AgentFixture(dir, placement);
        try {
            alloc = first.run("""
                    job "exits" {
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
                            args    = ["-c", "cd $NOMAD_TASK_DIR; [ -f ran ] && exit 0; touch ran; while [ ! -f go ]; do sleep 0.05; done; exit 7 # MARK"]
                          }
                        }
                      }
                    }
                    """.replace("MARK", marker)).getFirst();
            first.awaitState(alloc, "t", "running");
            local = dir.resolve("alloc").resolve(alloc).resolve("t/local");
        } finally {
            first.leaveTasksRunning();
        }
        java.nio.file.Files.writeString(local.resolve("go"), "");
        ProcScan.awaitGone(marker, 10_000); // it exited with no agent to see it

        try (var second = new AgentFixture(dir, placement)) {
            var state = second.awaitState(alloc, "t", "dead");
            var exits = state.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Terminated"))
                    .map(e -> e.path("ExitCode").asInt()).toList();
            assertEquals(java.util.List.of(7, 0), exits, "the exit while no agent ran, then the restart's: " + AgentFixture.eventTypes(state));
            assertEquals(2, AgentFixture.eventTypes(state).stream().filter("Started"::equals).count(), AgentFixture.eventTypes(state).toString());
            assertTrue(AgentFixture.eventTypes(state).contains("Restarting"), AgentFixture.eventTypes(state).toString());
            assertEquals("complete", second.alloc(alloc).path("ClientStatus").asString());
            second.awaitTaskPluginsReleased();
        }
    }
}
