package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A real, non-dev agent in its own JVM (started from the test class path, as {@code drover agent
 * -config}), so it can be killed with SIGKILL and started again on the same data dir and port.
 * The test JVM makes itself a child subreaper first: it stands in for init (systemd), which
 * reaps the plugin processes a killed agent leaves behind.
 */
final class AgentProcess implements AutoCloseable {
    final Path dataDir;
    final PluginPlacement placement;
    final int port;
    private final Path config;
    private final Path log;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private Process process;
    private int starts;

    AgentProcess(Path dir, PluginPlacement placement) throws IOException {
        Reaper.startAsSubreaper();
        this.dataDir = dir.resolve("data");
        this.placement = placement;
        this.port = freePort();
        this.config = dir.resolve("agent.hcl");
        this.log = dir.resolve("agent.log");
        Files.writeString(config, """
                data_dir = "%s"
                bind_addr = "127.0.0.1"
                ports {
                  http = %d
                }
                plugin_placement = "%s"
                plugin "raw_exec" {
                  config {
                    enabled = true
                  }
                }
                """.formatted(dataDir, port, placement.configName()));
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    String address() {
        return "http://127.0.0.1:" + port;
    }

    long pid() {
        return process.pid();
    }

    /** Starts the agent and waits until its API answers; a failed start shows the agent's log. */
    AgentProcess start() throws Exception {
        if (process != null && process.isAlive()) throw new IllegalStateException("agent already running");
        var command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-XX:+UseSerialGC", "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                dev.drover.agent.AgentCommand.class.getName(), "-config", config.toString()));
        Files.writeString(log, "==> start " + (++starts) + "\n", java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        Reaper.own(process.pid());
        long deadline = System.currentTimeMillis() + 60_000;
        while (System.currentTimeMillis() < deadline) {
            if (!process.isAlive()) fail("agent exited with " + process.exitValue() + " during start:\n" + tail());
            try {
                if (call("GET", "/v1/agent/health", null).status() == 200) return this;
            } catch (IOException notYet) {
                // the API is not listening yet
            }
            Thread.sleep(100);
        }
        fail("agent API did not answer within 60s:\n" + tail());
        return this;
    }

    /** kill -9: no shutdown hook runs, nothing is flushed or detached. */
    void kill9() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
        Reaper.disown(process.pid());
    }

    /** SIGTERM, as `systemctl stop` sends: the agent detaches and tasks keep running. */
    void stopGracefully() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) fail("agent did not stop within 60s of SIGTERM:\n" + tail());
        Reaper.disown(process.pid());
    }

    String tail() {
        try {
            var lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no agent log: " + e.getMessage() + ")";
        }
    }

    record Response(int status, String body) {
        JsonNode json() {
            return Wire.JSON.readTree(body);
        }
    }

    Response call(String method, String path, String body) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(address() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60)).build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body());
    }

    JsonNode get(String path) throws Exception {
        var r = call("GET", path, null);
        if (r.status() != 200) fail("GET " + path + " -> " + r.status() + ": " + r.body());
        return r.json();
    }

    /** Parses HCL through the API and registers it; returns the alloc ids. */
    List<String> run(String hcl) throws Exception {
        var parse = call("POST", "/v1/jobs/parse", Wire.JSON.writeValueAsString(Map.of("JobHCL", hcl, "Filename", "fault.hcl")));
        if (parse.status() != 200) fail("parse failed: " + parse.status() + " " + parse.body());
        var body = Wire.JSON.createObjectNode();
        body.set("Job", parse.json());
        var reg = call("PUT", "/v1/jobs", Wire.JSON.writeValueAsString(body));
        if (reg.status() != 200) fail("register failed: " + reg.status() + " " + reg.body());
        var ids = new ArrayList<String>();
        reg.json().get("AllocIDs").forEach(n -> ids.add(n.asString()));
        return ids;
    }

    JsonNode taskState(String alloc, String task) throws Exception {
        return get("/v1/allocation/" + alloc).path("TaskStates").path(task);
    }

    /** Polls until the task is in {@code state}; fails with the task's state and the agent's log. */
    JsonNode awaitState(String alloc, String task, String state, long timeoutMillis) throws Exception {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        JsonNode s = null;
        while (System.currentTimeMillis() < deadline) {
            s = taskState(alloc, task);
            if (s.path("State").asString("").equals(state)) return s;
            Thread.sleep(100);
        }
        fail("task " + task + " of " + alloc + " is not " + state + " after " + timeoutMillis + " ms: " + s + "\nagent log:\n" + tail());
        return s;
    }

    /** How many times the task was started (a reattach adds none). */
    static long starts(JsonNode taskState) {
        return taskState.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Started")).count();
    }

    /** Plugin processes of this agent serving {@code plugin} (a shared host serves both). */
    List<dev.drover.sdk.testing.ProcScan.Proc> plugins(String plugin) {
        var mine = dev.drover.sdk.testing.ProcScan.all().stream()
                .filter(p -> p.cmdline().contains(" " + dataDir + "/") && p.state() != 'Z')
                .filter(p -> p.cmdline().matches(".*PluginMain \\S*\\b" + plugin + "\\b.*")).toList();
        var pids = mine.stream().map(p -> p.pid()).collect(java.util.stream.Collectors.toSet());
        return mine.stream().filter(p -> !pids.contains(p.ppid())).toList(); // not a task mid-fork
    }

    @Override
    public void close() throws Exception {
        if (process != null && process.isAlive()) kill9();
    }
}
