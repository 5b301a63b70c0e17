package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared plugin host dies (kill -9) under running tasks: a new host adopts them without a
 * restart, logs written in the gap arrive, and an exit that happens afterwards keeps its code.
 */
class SharedHostFaultTest {
    @TempDir
    Path dir;

    private ProcScan.Proc host() {
        var hosts = ProcScan.withCmdline("PluginMain executor,logmon " + dir).stream()
                .filter(p -> ProcScan.withCmdline("PluginMain executor,logmon " + dir).stream().noneMatch(q -> q.pid() == p.ppid()))
                .toList();
        assertEquals(1, hosts.size(), "one shared host: " + hosts);
        return hosts.getFirst();
    }

    @Test
    void killedHostIsReplacedAndTasksKeepRunningWithoutLosingLines() throws Exception {
        String marker = "fault-" + UUID.randomUUID().toString().substring(0, 8);
        try (var agent = new AgentFixture(dir, PluginPlacement.SHARED)) {
            String alloc = agent.run("""
                    job "steady" {
                      group "g" {
                        task "t" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "i=0; while true; do i=$((i+1)); echo line $i MARK; sleep 0.01; done"]
                          }
                        }
                      }
                    }
                    """.replace("MARK", marker)).getFirst();
            String exits = agent.run("""
                    job "later" {
                      type = "batch"
                      group "g" {
                        restart {
                          attempts = 0
                        }
                        task "t" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "sleep 3; exit 7"]
                          }
                        }
                      }
                    }
                    """).getFirst();
            agent.awaitState(alloc, "t", "running");
            agent.awaitState(exits, "t", "running");
            agent.awaitLog(alloc, "t", "stdout", "line 20 ");
            int taskPid = ProcScan.withCmdline(marker).getFirst().pid();
            int oldHost = host().pid();

            assertTrue(Native.kill(oldHost, Native.SIGKILL));
            Thread.sleep(1500);

            assertNotEquals(oldHost, host().pid(), "a new host was started");
            assertEquals(taskPid, ProcScan.withCmdline(marker).getFirst().pid(), "the task was not restarted");
            var state = agent.taskState(alloc, "t");
            assertEquals("running", state.path("State").asString(), state.toString());
            assertFalse(AgentFixture.eventTypes(state).contains("Terminated"), AgentFixture.eventTypes(state).toString());

            // Lines written while nobody read arrive, in order, once.
            String log = agent.awaitLog(alloc, "t", "stdout", "line 300 ");
            String[] lines = log.split("\n");
            for (int i = 0; i < lines.length - 1; i++) {
                assertEquals("line " + (i + 1) + " " + marker, lines[i], "line " + (i + 1) + " of " + lines.length);
            }

            // The batch task exits under the new host; its code is recovered (we reaped it).
            var done = agent.awaitState(exits, "t", "dead");
            var terminated = done.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Terminated")).toList();
            assertEquals(1, terminated.size(), done.toString());
            assertEquals(7, terminated.getFirst().path("ExitCode").asInt(), terminated.toString());

            assertEquals(200, agent.call("DELETE", "/v1/job/steady", null).status());
            agent.awaitState(alloc, "t", "dead");
            ProcScan.awaitGone(marker, 10_000);
        }
    }
}
