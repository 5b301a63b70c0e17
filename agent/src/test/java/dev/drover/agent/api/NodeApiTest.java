package dev.drover.agent.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.driver.DriverRegistry;
import dev.drover.sdk.env.NodeInfo;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeApiTest {
    private static final NodeInfo NODE = new NodeInfo("node-1", "box", "dc1", "global", "", "default",
            Map.of("kernel.name", "linux"), Map.of("rack", "r1"));

    @Test
    void selfHasDriversAndMergedAttributes() {
        var registry = new DriverRegistry(DriverRegistry.BUILT_IN, Map.of("exec", Map.of("runtime", "/nonexistent/runc")), null, e -> {});
        var self = new NodeApi(registry, NODE).self();
        assertEquals("node-1", self.path("ID").asString());
        assertEquals("box", self.path("Name").asString());
        assertEquals("r1", self.path("Meta").path("rack").asString());
        var attrs = self.path("Attributes");
        assertEquals("linux", attrs.path("kernel.name").asString());
        assertEquals("1", attrs.path("driver.mock").asString());

        var rawExec = self.path("Drivers").path("raw_exec");
        assertFalse(rawExec.path("Detected").asBoolean());
        assertFalse(rawExec.path("Healthy").asBoolean());
        assertTrue(rawExec.path("HealthDescription").asString().startsWith("disabled:"));

        var exec = self.path("Drivers").path("exec");
        assertTrue(exec.path("Detected").asBoolean());
        assertFalse(exec.path("Healthy").asBoolean());
        assertEquals("/nonexistent/runc unusable: no executable file at /nonexistent/runc", exec.path("HealthDescription").asString());
        assertTrue(exec.path("Attributes").has("driver.exec.cgroup"));
        assertFalse(attrs.has("driver.exec"), "an unhealthy exec does not claim driver.exec = 1");

        var mock = self.path("Drivers").path("mock");
        assertTrue(mock.path("Healthy").asBoolean());
        assertEquals("Healthy", mock.path("HealthDescription").asString());
        assertEquals("1", mock.path("Attributes").path("driver.mock").asString());
    }

    @Test
    void servedOverHttpThroughTheRouter() throws Exception {
        var registry = new DriverRegistry(DriverRegistry.BUILT_IN, Map.of(), null, e -> {});
        var router = new Router();
        new AgentApi(registry, NODE).register(router);
        var node = (tools.jackson.databind.JsonNode) router.find("GET", "/v1/node/self").handler().handle(null);
        var exec = node.path("Drivers").path("exec");
        assertTrue(exec.path("Healthy").asBoolean(), exec.toString());
        assertEquals("1", node.path("Attributes").path("driver.exec").asString());
        var self = (tools.jackson.databind.JsonNode) router.find("GET", "/v1/agent/self").handler().handle(null);
        assertEquals(exec, self.path("Drivers").path("exec"));
        assertEquals("node-1", node.path("ID").asString(), "the node's identity is served: " + node);
    }
}
