package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * The exec driver's isolation as a user sees it through the API: an OOM kill in the task's
 * Terminated event, and the per-task switch to the universal executor (no sandbox).
 */
class ExecIsolationJobTest extends AgentTestBase {

    @Test
    void aMemoryHogIsOomKilledAndTheTerminatedEventSaysSo() throws Exception {
        assertTrue(Files.isExecutable(Path.of("/usr/bin/perl")), "the memory hog needs /usr/bin/perl (apt-get install perl)");
        String alloc = agent.run("""
                job "hog" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 0
                      mode     = "fail"
                    }
                    task "t" {
                      driver = "exec"
                      config {
                        command = "/usr/bin/perl"
                        args    = ["-e", "my $x = 'a' x (256 * 1024 * 1024); print length($x), qq(\\n)"]
                      }
                      resources {
                        memory = 32
                      }
                    }
                  }
                }
                """).getFirst();
        var state = agent.awaitState(alloc, "t", "dead");
        assertTrue(state.path("Failed").asBoolean(), state.toString());
        JsonNode terminated = null;
        for (var e : state.path("Events")) if (e.path("Type").asString().equals("Terminated")) terminated = e;
        assertTrue(terminated != null, "no Terminated event: " + AgentFixture.eventTypes(state));
        assertEquals(137, terminated.path("ExitCode").asInt(), terminated.toString());
        assertEquals(9, terminated.path("Signal").asInt(), terminated.toString());
        assertEquals("true", terminated.path("Details").path("oom_killed").asString(), terminated.toString());
        assertTrue(terminated.path("DisplayMessage").asString().startsWith("Exit Code: 137, Signal: 9, OOM Killed"), terminated.toString());
        assertEquals("", agent.logs(alloc, "t", "stdout", ""), "the hog never got its 256 MiB");
    }

    /** The same probe in both executors: only the sandboxed one is pid 1 and misses the host's /var. */
    @Test
    void isolationUniversalRunsTheTaskWithoutTheSandbox() throws Exception {
        String probe = "echo pid1=$([ $$ = 1 ] && echo yes || echo no); [ -d /var/lib ] && echo var=host || echo var=none; "
                + "echo task_dir=$NOMAD_TASK_DIR; id -un";
        String alloc = agent.run("""
                job "toggle" {
                  type = "batch"
                  group "g" {
                    task "universal" {
                      driver = "exec"
                      config {
                        command   = "/bin/sh"
                        args      = ["-c", "%1$s"]
                        isolation = "universal"
                      }
                    }
                    task "isolated" {
                      driver = "exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "%1$s"]
                      }
                    }
                  }
                }
                """.formatted(probe)).getFirst();
        for (String task : new String[] {"universal", "isolated"}) {
            var state = agent.awaitState(alloc, task, "dead");
            assertFalse(state.path("Failed").asBoolean(), task + ": " + state);
        }
        String hostTaskDir = agent.dataDir.resolve("alloc").resolve(alloc).resolve("universal").resolve("local").toString();
        assertEquals("pid1=no\nvar=host\ntask_dir=" + hostTaskDir + "\nnobody\n", agent.logs(alloc, "universal", "stdout", ""));
        assertEquals("pid1=yes\nvar=none\ntask_dir=/local\nnobody\n", agent.logs(alloc, "isolated", "stdout", ""));
    }
}
