package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * A real, non-dev agent in its own JVM (started from the test class path, as {@code drover agent
 * -config}), so it can be killed with SIGKILL and started again on the same data dir and port.
 * The test JVM makes itself a child subreaper first: it stands in for init (systemd), which
 * reaps the plugin processes a killed agent leaves behind.
 */
final class AgentProcess extends AgentApi implements AutoCloseable {
    final Path dataDir;
    final PluginPlacement placement;
    final int port;
    private final Path config;
    private final Path log;
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

    @Override
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
