package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.Agent;
import dev.drover.agent.config.AgentConfig;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.rpc.Wire;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
 * dir, plus a small HTTP client for its API. Timeouts are turned into diagnoses: the failure shows
 * the allocation as the API reports it.
 */
final class AgentFixture implements AutoCloseable {
    final Agent agent;
    final Path dataDir;
    private final HttpClient http = HttpClient.newHttpClient();

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

    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            return Wire.JSON.readTree(body);
        }
    }

    Response call(String method, String path, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create(agent.address() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(60))
                .build();
        var response = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Response(response.statusCode(), response.body(), response);
    }

    JsonNode get(String path) throws Exception {
        var r = call("GET", path, null);
        if (r.status() != 200) fail("GET " + path + " -> " + r.status() + ": " + r.body());
        return r.json();
    }

    /** Parses HCL through the API and registers it, as `drover job run` does; returns the alloc ids. */
    List<String> run(String hcl) throws Exception {
        var parse = call("POST", "/v1/jobs/parse", Wire.JSON.writeValueAsString(Map.of("JobHCL", hcl, "Filename", "test.hcl")));
        if (parse.status() != 200) fail("parse failed: " + parse.status() + " " + parse.body());
        var body = Wire.JSON.createObjectNode();
        body.set("Job", parse.json());
        var reg = call("PUT", "/v1/jobs", Wire.JSON.writeValueAsString(body));
        if (reg.status() != 200) fail("register failed: " + reg.status() + " " + reg.body());
        var ids = new ArrayList<String>();
        reg.json().get("AllocIDs").forEach(n -> ids.add(n.asString()));
        return ids;
    }

    JsonNode alloc(String id) throws Exception {
        return get("/v1/allocation/" + id);
    }

    JsonNode taskState(String alloc, String task) throws Exception {
        return alloc(alloc).path("TaskStates").path(task);
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
