package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * A small HTTP client for a test agent's API, for the agent in the test JVM ({@link AgentFixture})
 * and the one in a JVM of its own ({@link AgentProcess}) alike.
 */
abstract class AgentApi {
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** {@code http://127.0.0.1:<port>} of the agent. */
    abstract String address();

    record Response(int status, String body, HttpResponse<String> raw) {
        JsonNode json() {
            return Wire.JSON.readTree(body);
        }
    }

    Response call(String method, String path, String body) throws IOException, InterruptedException {
        var request = HttpRequest.newBuilder(URI.create(address() + path))
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
}
