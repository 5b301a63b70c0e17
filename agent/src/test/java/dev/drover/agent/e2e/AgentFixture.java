package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.Agent;
import dev.drover.agent.config.AgentConfig;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.rpc.Wire;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import tools.jackson.databind.JsonNode;

/**
 * A real agent in the test JVM (real plugin processes, real fifos) on a free port and a temp data
 * dir, and its API ({@link AgentApi}). Timeouts are turned into diagnoses: the failure shows
 * the allocation as the API reports it.
 */
final class AgentFixture extends AgentApi implements AutoCloseable {
    final Agent agent;
    final Path dataDir;

    final PluginPlacement placement;

    AgentFixture(Path dataDir, PluginPlacement placement) throws Exception {
        this(dataDir, placement, Map.of());
    }

    /** As above with more {@code plugin "<driver>" { config { … } }} blocks (e.g. the docker endpoint). */
    AgentFixture(Path dataDir, PluginPlacement placement, Map<String, Map<String, Object>> morePlugins) throws Exception {
        this(dataDir, placement, morePlugins, c -> c);
    }

    /** As above with the agent config changed by {@code tweak} (GC settings, max_kill_timeout, …). */
    AgentFixture(Path dataDir, PluginPlacement placement, java.util.function.UnaryOperator<AgentConfig> tweak) throws Exception {
        this(dataDir, placement, Map.of(), tweak);
    }

    AgentFixture(Path dataDir, PluginPlacement placement, Map<String, Map<String, Object>> morePlugins,
                 java.util.function.UnaryOperator<AgentConfig> tweak) throws Exception {
        this.dataDir = dataDir;
        this.placement = placement;
        var plugins = new java.util.HashMap<String, Map<String, Object>>(morePlugins);
        plugins.putIfAbsent("raw_exec", Map.of("enabled", true));
        var config = new AgentConfig(dataDir, "127.0.0.1", 0, plugins,
                Duration.ofSeconds(30), "dc1", "global", "test-node", false, placement, AgentConfig.DEFAULT_START_PARALLELISM);
        this.agent = Agent.start(tweak.apply(config));
    }

    @Override
    String address() {
        return agent.address();
    }

    /** Polls the task's state until the predicate holds; fails with the task's state and events. */
    JsonNode await(String alloc, String task, Predicate<JsonNode> condition, String what) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        JsonNode state = null;
        while (System.currentTimeMillis() < deadline) {
            state = taskState(alloc, task);
            if (condition.test(state)) return state;
            Thread.sleep(50);
        }
        fail("timed out waiting for task " + task + " of alloc " + alloc + " to be " + what + "; it is: "
                + Wire.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(state));
        return null;
    }

    JsonNode awaitState(String alloc, String task, String state) throws Exception {
        return await(alloc, task, s -> s.path("State").asString("").equals(state), "\"" + state + "\"");
    }

    /** Waits until the text shows up in the task's log stream. */
    String awaitLog(String alloc, String task, String type, String text) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        String got = "";
        while (System.currentTimeMillis() < deadline) {
            got = logs(alloc, task, type, "");
            if (got.contains(text)) return got;
            Thread.sleep(50);
        }
        fail("timed out waiting for \"" + text + "\" in " + type + " of " + task + "; got: " + got);
        return got;
    }

    String logs(String alloc, String task, String type, String extraQuery) throws Exception {
        var r = call("GET", "/v1/client/fs/logs/" + alloc + "?plain=true&task=" + URLEncoder.encode(task, StandardCharsets.UTF_8)
                + "&type=" + type + extraQuery, null);
        if (r.status() != 200) fail("logs -> " + r.status() + ": " + r.body());
        return r.body();
    }

    static List<String> eventTypes(JsonNode taskState) {
        var out = new ArrayList<String>();
        taskState.path("Events").forEach(e -> out.add(e.path("Type").asString()));
        return out;
    }

    /** Live plugin processes of this agent serving {@code plugin} (a shared host serves all). */
    long pluginProcesses(String plugin) {
        var matching = dev.drover.sdk.testing.ProcScan.all().stream()
                .filter(p -> p.cmdline().contains(" " + dataDir + "/"))
                .filter(p -> p.cmdline().matches(".*PluginMain \\S*\\b" + plugin + "\\b.*"))
                .toList();
        // A task being spawned shows its parent's command line until it execs: not a plugin.
        var pids = matching.stream().map(p -> p.pid()).collect(java.util.stream.Collectors.toSet());
        return matching.stream().filter(p -> !pids.contains(p.ppid())).count();
    }

    /**
     * After a task is gone: per task, its plugin processes exit; shared, the one host stays for the
     * next task and nothing else runs.
     */
    void awaitTaskPluginsReleased() throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        long expected = placement == PluginPlacement.SHARED ? 1 : 0;
        while (pluginProcesses("executor") + pluginProcesses("logmon") > 2 * expected) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("plugin processes left: " + dev.drover.sdk.testing.ProcScan.withCmdline("PluginMain"));
            }
            Thread.sleep(50);
        }
    }

    /** Stops the agent the way SIGTERM does: tasks and plugins keep running. */
    void leaveTasksRunning() throws Exception {
        agent.close();
    }

    /** Drains and stops the agent, then fails if any plugin process of this data dir is still alive. */
    @Override
    public void close() throws Exception {
        agent.drain(Duration.ofSeconds(30));
        agent.close();
        dev.drover.sdk.testing.ProcScan.awaitGone(dataDir.toString(), 10_000);
    }
}
