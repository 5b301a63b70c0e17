package dev.drover.agent.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.config.AgentConfigParser;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.Fingerprint.Health;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DriverRegistryTest {
    private static DriverRegistry registry(Map<String, Map<String, Object>> plugins) {
        return new DriverRegistry(DriverRegistry.BUILT_IN, plugins, null, e -> {});
    }

    @Test
    void builtInsIncludeExecAndJavaWithRawExecOptIn() {
        var all = registry(Map.of()).all();
        assertTrue(all.keySet().containsAll(List.of("raw_exec", "exec", "java", "mock")), all.keySet().toString());
        assertEquals(Health.UNDETECTED, all.get("raw_exec").fingerprint().health());
    }

    @Test
    void anUndetectedDriverIsRefusedWithItsReason() {
        var e = assertThrows(DroverException.class, () -> registry(Map.of()).require("raw_exec"));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        assertEquals("driver \"raw_exec\" is not usable on this node (undetected): disabled: set plugin \"raw_exec\" "
                + "{ config { enabled = true } } in the agent config", e.getMessage());
    }

    @Test
    void anUnhealthyDriverIsRefusedWithItsReason() {
        var e = assertThrows(DroverException.class,
                () -> registry(Map.of("exec", Map.of("runtime", "/nonexistent/runc"))).require("exec"));
        assertEquals("driver \"exec\" is not usable on this node (unhealthy): /nonexistent/runc unusable: no executable file at "
                + "/nonexistent/runc", e.getMessage());
    }

    @Test
    void execIsHealthyHereByDefault() {
        // This machine has crun/runc and runs tests as root (the project's test prerequisite).
        var exec = registry(Map.of()).require("exec");
        var fp = exec.fingerprint();
        assertEquals(Health.HEALTHY, fp.health(), fp.healthDescription());
        assertEquals("1", fp.attributes().get("driver.exec"));
    }

    @Test
    void clientChrootEnvReachesExecAndJava() {
        var values = AgentConfigParser.parse("agent.hcl", """
                client {
                  chroot_env = { "/usr" = "/usr", "/etc/ssl" = "/etc/ssl" }
                }
                plugin "java" {
                  config {
                    chroot_env = { "/usr" = "/usr" }
                  }
                }
                """);
        assertEquals(Map.of("/usr", "/usr", "/etc/ssl", "/etc/ssl"), values.plugins().get("exec").get("chroot_env"));
        assertEquals(Map.of("/usr", "/usr"), values.plugins().get("java").get("chroot_env"), "a driver's own setting wins");
        registry(values.plugins()); // both drivers accept it
    }

    @Test
    void aBadChrootEnvStopsTheAgentWithTheDriversMessage() {
        var values = AgentConfigParser.parse("agent.hcl", """
                client {
                  chroot_env = { "/usr" = "usr" }
                }
                """);
        var e = assertThrows(DroverException.class, () -> registry(values.plugins()));
        assertTrue(e.getMessage().startsWith("plugin \"exec\" config.chroot_env[\"/usr\"]: sandbox path must be absolute"), e.getMessage());
    }

    @Test
    void chrootEnvMustBeAMapAttribute() {
        var block = assertThrows(IllegalArgumentException.class, () -> AgentConfigParser.parse("agent.hcl", """
                client {
                  chroot_env {
                    usr = "/usr"
                  }
                }
                """));
        assertTrue(block.getMessage().contains("agent.hcl:2:3: chroot_env is a map attribute here: chroot_env = { \"/usr\" = \"/usr\" }"),
                block.getMessage());
        var list = assertThrows(IllegalArgumentException.class, () -> AgentConfigParser.parse("agent.hcl", """
                client {
                  chroot_env = ["/usr"]
                }
                """));
        assertTrue(list.getMessage().contains("chroot_env must be a map of host path to sandbox path"), list.getMessage());
    }
}
