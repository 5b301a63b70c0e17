package dev.drover.agent.api;

import dev.drover.agent.driver.DriverRegistry;
import dev.drover.sdk.rpc.Wire;

/** /v1/agent/health and /v1/agent/self. */
final class AgentApi {
    private final DriverRegistry drivers;

    AgentApi(DriverRegistry drivers) {
        this.drivers = drivers;
    }

    void register(Router router) {
        router.add("GET", "/v1/agent/health", r -> {
            var out = Wire.JSON.createObjectNode();
            out.putObject("client").put("ok", true).put("message", "ok");
            return out;
        }).add("GET", "/v1/agent/self", r -> {
            var out = Wire.JSON.createObjectNode();
            var d = out.putObject("Drivers");
            drivers.all().forEach((name, driver) -> {
                var fp = driver.fingerprint();
                d.putObject(name).put("Healthy", fp.health().name().equals("HEALTHY")).put("HealthDescription", fp.healthDescription());
            });
            return out;
        });
    }
}
