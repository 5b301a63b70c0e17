package dev.drover.agent.api;

import dev.drover.agent.driver.DriverRegistry;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.env.NodeInfo;
import dev.drover.sdk.rpc.Wire;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/node/self}: this node in the shape of Nomad's {@code /v1/node/<id>} — identity,
 * {@code Attributes} with every detected driver's {@code driver.*} attributes merged in, and
 * {@code Drivers: {name: {Detected, Healthy, HealthDescription, Attributes}}}.
 */
final class NodeApi {
    private final DriverRegistry drivers;
    private final NodeInfo node;

    /** @param node the node's identity and attributes */
    NodeApi(DriverRegistry drivers, NodeInfo node) {
        this.drivers = drivers;
        if (node == null) throw new IllegalArgumentException("node is required");
        this.node = node;
    }

    void register(Router router) {
        router.add("GET", "/v1/node/self", r -> self());
    }

    ObjectNode self() {
        var out = Wire.JSON.createObjectNode();
        var attributes = new TreeMap<String, String>();
        out.put("ID", node.id()).put("Name", node.name()).put("Datacenter", node.datacenter()).put("Region", node.region())
                .put("NodeClass", node.nodeClass()).put("NodePool", node.pool());
        attributes.putAll(node.attributes());
        out.put("Status", "ready");
        var fingerprints = new TreeMap<String, Fingerprint>();
        drivers.all().forEach((name, driver) -> fingerprints.put(name, driver.fingerprint()));
        // Nomad drops an undetected driver's attributes from the node; the others contribute theirs.
        fingerprints.values().stream().filter(fp -> fp.health() != Fingerprint.Health.UNDETECTED)
                .forEach(fp -> attributes.putAll(fp.attributes()));
        var attrs = out.putObject("Attributes");
        attributes.forEach(attrs::put);
        var meta = out.putObject("Meta");
        new TreeMap<>(node.meta()).forEach(meta::put);
        out.set("Drivers", driversJson(fingerprints));
        return out;
    }

    /** {name: {Detected, Healthy, HealthDescription, Attributes}}, as Nomad's DriverInfo. */
    static ObjectNode driversJson(java.util.Map<String, Fingerprint> fingerprints) {
        var out = Wire.JSON.createObjectNode();
        new TreeMap<>(fingerprints).forEach((name, fp) -> {
            var d = out.putObject(name)
                    .put("Detected", fp.health() != Fingerprint.Health.UNDETECTED)
                    .put("Healthy", fp.health() == Fingerprint.Health.HEALTHY)
                    .put("HealthDescription", fp.healthDescription());
            var a = d.putObject("Attributes");
            new TreeMap<>(fp.attributes()).forEach(a::put);
        });
        return out;
    }
}
