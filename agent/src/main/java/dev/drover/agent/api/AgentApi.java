package dev.drover.agent.api;

import dev.drover.agent.driver.DriverRegistry;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.env.NodeInfo;
import dev.drover.sdk.rpc.Wire;
import java.util.LinkedHashMap;

/** /v1/agent/health and /v1/agent/self; also registers /v1/node/self ({@link NodeApi}). */
final class AgentApi {
    private final DriverRegistry drivers;
    private final NodeInfo node;

    /** @param node the node's identity for /v1/node/self */
    AgentApi(DriverRegistry drivers, NodeInfo node) {
        this.drivers = drivers;
        this.node = node;
    }

    void register(Router router) {
        router.add("GET", "/v1/agent/health", r -> {
            var out = Wire.JSON.createObjectNode();
            out.putObject("client").put("ok", true).put("message", "ok");
            return out;
        }).add("GET", "/v1/agent/self", r -> {
            var out = Wire.JSON.createObjectNode();
            var fingerprints = new LinkedHashMap<String, Fingerprint>();
            drivers.all().forEach((name, driver) -> fingerprints.put(name, driver.fingerprint()));
            out.set("Drivers", NodeApi.driversJson(fingerprints));
            return out;
        });
        new NodeApi(drivers, node).register(router);
    }
}
