package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.rpc.Wire;
import dev.drover.sdk.testing.ProcScan;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What SIGTERM to a real {@code drover agent} process does to its tasks: by default they keep
 * running and a new agent reattaches; with {@code -drain-on-stop} or {@code client { drain_on_stop
 * = true }} each is stopped through its kill_signal first and nothing of the agent's is left in /proc.
 */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class AgentStopModesTest {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();

    /** A job whose task notes the SIGTERM it gets (its kill_signal) before it exits. */
    private static String job(String marker) {
        return """
                job "polite" {
                  group "g" {
                    task "t" {
                      driver       = "raw_exec"
                      kill_signal  = "SIGTERM"
                      kill_timeout = "10s"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "trap 'echo got-term; exit 0' TERM; echo ready; while true; do sleep 0.05; done; echo MARK"]
                      }
                    }
                  }
                }
                """.replace("MARK", marker);
    }

    /** Starts {@code drover agent} as its own JVM (the test class path) and waits for its API address. */
    private Process startAgent(String clientBlock, List<String> flags, Path out) throws Exception {
        Path config = dir.resolve("agent.hcl");
        Files.writeString(config, """
                data_dir         = "%s"
                plugin_placement = "%s"
                ports { http = 0 }
                client {
                  %s
                }
                plugin "raw_exec" {
                  config { enabled = true }
                }
                """.formatted(dir.resolve("data"), placement.configName(), clientBlock));
        var command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "dev.drover.agent.AgentCommand", "-config", config.toString()));
        command.addAll(flags);
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private String address(Process agent, Path out) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            for (String line : Files.readAllLines(out)) {
                int at = line.indexOf("API: ");
                if (line.startsWith("==> Drover agent started!") && at > 0) return line.substring(at + 5).split("\\s+")[0];
            }
            if (!agent.isAlive()) fail("agent exited with " + agent.exitValue() + ": " + Files.readString(out));
            Thread.sleep(50);
        }
        agent.destroyForcibly();
        fail("agent did not start: " + Files.readString(out));
        return null;
    }

    private String call(String method, String url, String body) throws Exception {
        var r = http.send(HttpRequest.newBuilder(URI.create(url))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) fail(method + " " + url + " -> " + r.statusCode() + ": " + r.body());
        return r.body();
    }

    /** Runs the job on the external agent, waits until its task is up; returns the alloc id. */
    private String runJob(String address, String marker) throws Exception {
        var parsed = Wire.JSON.readTree(call("POST", address + "/v1/jobs/parse",
                Wire.JSON.writeValueAsString(Map.of("JobHCL", job(marker), "Filename", "polite.hcl"))));
        var body = Wire.JSON.createObjectNode();
        body.set("Job", parsed);
        String alloc = Wire.JSON.readTree(call("PUT", address + "/v1/jobs", Wire.JSON.writeValueAsString(body)))
                .path("AllocIDs").get(0).asString();
        long deadline = System.currentTimeMillis() + 30_000;
        while (!call("GET", address + "/v1/client/fs/logs/" + alloc + "?plain=true&task=t&type=stdout", null).contains("ready")) {
            if (System.currentTimeMillis() > deadline) fail("task never became ready");
            Thread.sleep(50);
        }
        return alloc;
    }

    /** The task's shell; its forks for each sleep carry the same command line for a moment. */
    private static List<ProcScan.Proc> taskShell(String marker) {
        var all = ProcScan.withCmdline(marker);
        var pids = all.stream().map(ProcScan.Proc::pid).collect(java.util.stream.Collectors.toSet());
        return all.stream().filter(p -> !pids.contains(p.ppid())).toList();
    }

    /** pid and start time: what makes a process the same one (its state letter changes as it runs). */
    private static List<String> identities(List<ProcScan.Proc> procs) {
        return procs.stream().map(p -> p.pid() + "@" + p.startTicks()).toList();
    }

    private void sigtermAndWait(Process agent, Path out) throws Exception {
        agent.destroy(); // SIGTERM
        if (!agent.waitFor(90, TimeUnit.SECONDS)) {
            agent.destroyForcibly();
            fail("agent did not exit after SIGTERM: " + Files.readString(out));
        }
    }

    private void drainsOnStop(String clientBlock, List<String> flags) throws Exception {
        String marker = "polite-" + UUID.randomUUID().toString().substring(0, 8);
        Path out = dir.resolve("agent.out");
        var agent = startAgent(clientBlock, flags, out);
        String alloc;
        try {
            alloc = runJob(address(agent, out), marker);
            assertFalse(ProcScan.withCmdline(marker).isEmpty(), "the task runs");
        } finally {
            sigtermAndWait(agent, out);
        }
        assertTrue(Files.readString(out).contains("draining: stopping tasks"), Files.readString(out));
        // Nothing of the agent's left: no task, no executor, no logmon, no shared plugin host.
        assertEquals(List.of(), ProcScan.withCmdline(marker), "task left running");
        assertEquals(List.of(), ProcScan.withCmdline(dir.resolve("data").toString()), "plugin processes left");
        // The task was stopped through its kill_signal, and the next agent finds it dead, not to be run again.
        try (var next = new AgentFixture(dir.resolve("data"), placement)) {
            var state = next.awaitState(alloc, "t", "dead");
            assertTrue(AgentFixture.eventTypes(state).containsAll(List.of("Killing", "Killed")), state.toString());
            assertEquals("ready\ngot-term\n", next.logs(alloc, "t", "stdout", ""));
            Thread.sleep(500);
            assertEquals(List.of(), ProcScan.withCmdline(marker), "not started again");
        }
    }

    @Test
    void drainOnStopFlagStopsEveryTaskBeforeTheAgentExits() throws Exception {
        drainsOnStop("", List.of("-drain-on-stop"));
    }

    @Test
    void drainOnStopInTheConfigFileDoesTheSame() throws Exception {
        drainsOnStop("drain_on_stop = true", List.of());
    }

    /**
     * The default: SIGTERM leaves the task running (same process), and the next agent, another JVM on
     * the same data dir, reattaches to it instead of starting it again, and its log goes on.
     */
    @Test
    void sigtermLeavesTasksRunningAndTheNextAgentReattaches() throws Exception {
        String marker = "stay-" + UUID.randomUUID().toString().substring(0, 8);
        Path out = dir.resolve("agent.out");
        Path out2 = dir.resolve("agent2.out");
        var agent = startAgent("", List.of(), out);
        Process next = null;
        try {
            String alloc = runJob(address(agent, out), marker);
            var before = taskShell(marker);
            assertEquals(1, before.size(), "one task shell: " + before);
            sigtermAndWait(agent, out);
            assertTrue(Files.readString(out).contains("(tasks keep running)"), Files.readString(out));
            assertEquals(identities(before), identities(taskShell(marker)), "the task outlives the agent");

            next = startAgent("", List.of(), out2);
            String address = address(next, out2);
            Thread.sleep(1_000); // a wrongly restarted task would show by now
            var alloc2 = Wire.JSON.readTree(call("GET", address + "/v1/allocation/" + alloc, null));
            var state = alloc2.path("TaskStates").path("t");
            assertEquals("running", state.path("State").asString(), state.toString());
            assertEquals(List.of("Received", "Task Setup", "Started"), AgentFixture.eventTypes(state), "reattached, not started again");
            assertEquals(identities(before), identities(taskShell(marker)), "the same process, and only it");
            call("DELETE", address + "/v1/job/polite", null);
            ProcScan.awaitGone(marker, 15_000);
            String logs = call("GET", address + "/v1/client/fs/logs/" + alloc + "?plain=true&task=t&type=stdout", null);
            assertEquals("ready\ngot-term\n", logs, "the stop reached the reattached task through its kill_signal");
        } finally {
            if (next != null) sigtermAndWait(next, out2);
        }
        assertEquals(List.of(), ProcScan.withCmdline(dir.resolve("data").toString()), "plugin processes left");
    }
}
