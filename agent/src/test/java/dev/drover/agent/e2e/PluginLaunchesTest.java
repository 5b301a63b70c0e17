package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 part 4: in the shared placement a task start launches no JVM (one plugin host serves every
 * task); in per_task each task gets its executor and logmon JVMs. Counted from what each launch leaves
 * behind — its log file in the plugin dir, however short-lived the JVM — and from /proc.
 */
class PluginLaunchesTest extends AgentTestBase {
    private static final String JOB = """
            job "%s" {
              group "g" {
                count = 3
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "echo started; exec sleep 43221"]
                  }
                }
              }
            }
            """;

    @Test
    void sharedLaunchesOneHostPerNodeAndPerTaskTwoJvmsPerTask() throws Exception {
        runAll("first");
        var afterFirst = launches();
        var hostsAfterFirst = pluginProcesses();
        runAll("second");
        var afterSecond = launches();
        if (placement == PluginPlacement.SHARED) {
            assertEquals(1, afterFirst.size(), "one plugin host launched for the first 3 tasks: " + afterFirst);
            assertEquals(afterFirst, afterSecond, "3 more tasks launched no JVM");
            assertEquals(hostsAfterFirst, pluginProcesses(), "the same host process serves them");
            assertEquals(1, hostsAfterFirst.size(), "one plugin process: " + hostsAfterFirst);
        } else {
            assertEquals(6, afterFirst.size(), "an executor and a logmon per task: " + afterFirst);
            assertEquals(12, afterSecond.size(), "and again for 3 more tasks: " + afterSecond);
            assertEquals(12, pluginProcesses().size(), "12 plugin processes for 6 tasks");
        }
    }

    private void runAll(String job) throws Exception {
        for (String alloc : agent.run(JOB.formatted(job))) agent.awaitLog(alloc, "t", "stdout", "started");
    }

    /** One log file per plugin JVM ever launched by this agent ({@code <name>-<id>.log}). */
    private List<String> launches() throws IOException {
        try (var files = Files.list(dir.resolve("plugins"))) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".log") && (n.startsWith("executor") || n.startsWith("logmon")))
                    .sorted().toList();
        }
    }

    /** Plugin processes of this agent (pid and start time), from /proc. */
    private List<String> pluginProcesses() {
        return ProcScan.withCmdline("dev.drover.sdk.plugin.PluginMain").stream()
                .filter(p -> p.cmdline().contains(dir.toString()))
                .map(p -> p.pid() + "@" + p.startTicks()).sorted().toList();
    }
}
