package dev.drover.agent.jobspec;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The names a job file block may contain: what Drover decodes (in the order error messages list
 * them) and what Nomad knows but Drover ignores with a warning. Everything else is an error. The
 * constants at the bottom are the whole supported jobspec subset at a glance.
 */
record Schema(Map<String, Kind> supported, Map<String, String> ignored) {

    enum Kind {
        /** {@code name = value} */
        ATTRIBUTE,
        /** {@code name { ... }}, no labels, at most once */
        BLOCK,
        /** {@code name "label" { ... }}, exactly one label, any number of times */
        LABELED_BLOCKS,
        /** a map of strings, either {@code name { k = v }} or {@code name = { k = v }}, at most once */
        MAP
    }

    private static final String NOT_YET = "%s is not supported by Drover yet and is ignored";

    Schema {
        supported = Collections.unmodifiableMap(new LinkedHashMap<>(supported));
        ignored = Map.copyOf(ignored);
    }

    /** The warning for an ignored name, e.g. {@code "constraint" is not supported by Drover yet and is ignored}. */
    String ignoredMessage(String name) {
        return String.format(ignored.get(name), "\"" + name + "\"");
    }

    String allowed() {
        return String.join(", ", supported.keySet());
    }

    static Builder builder() {
        return new Builder();
    }

    static final class Builder {
        private final Map<String, Kind> supported = new LinkedHashMap<>();
        private final Map<String, String> ignored = new LinkedHashMap<>();

        Builder attributes(String... names) {
            return add(Kind.ATTRIBUTE, names);
        }

        Builder block(String name) {
            return add(Kind.BLOCK, name);
        }

        Builder labeled(String name) {
            return add(Kind.LABELED_BLOCKS, name);
        }

        Builder map(String name) {
            return add(Kind.MAP, name);
        }

        Builder add(Kind kind, String... names) {
            for (String n : names) {
                supported.put(n, kind);
            }
            return this;
        }

        /** Known to Nomad, ignored by Drover with the default warning. */
        Builder notYet(String... names) {
            return ignore(NOT_YET, names);
        }

        /** Ignored with a custom warning; {@code %s} stands for the quoted name. */
        Builder ignore(String message, String... names) {
            for (String n : names) {
                ignored.put(n, message);
            }
            return this;
        }

        Schema build() {
            return new Schema(supported, ignored);
        }
    }

    // ---- the jobspec subset ----

    static final Schema FILE = builder()
            .labeled("job")
            .ignore("%s blocks are ignored: HCL variables are not supported by Drover", "variable", "variables", "locals")
            .build();

    static final Schema JOB = builder()
            .attributes("name", "type", "region", "namespace", "datacenters", "priority")
            .map("meta")
            .labeled("group")
            .notYet("constraint", "affinity", "spread", "update", "periodic", "parameterized", "multiregion", "vault",
                    "migrate", "reschedule", "all_at_once", "node_pool", "consul", "ui", "vault_token",
                    "consul_token")
            .build();

    static final Schema GROUP = builder()
            .attributes("count")
            .block("restart")
            .block("network")
            .map("meta")
            .labeled("task")
            .notYet("constraint", "affinity", "spread", "update", "ephemeral_disk", "service", "volume", "scaling",
                    "reschedule", "migrate", "consul", "vault", "max_client_disconnect", "disconnect",
                    "stop_after_client_disconnect", "prevent_reschedule_on_lost", "shutdown_delay")
            .build();

    static final Schema NETWORK = builder()
            .attributes("mode")
            .labeled("port")
            .notYet("hostname", "dns", "cni", "mbits")
            .build();

    static final Schema PORT = builder()
            .attributes("static", "to", "host_network")
            .notYet("ignore_collision")
            .build();

    static final Schema RESTART = builder()
            .attributes("attempts", "interval", "delay", "mode")
            .notYet("render_templates")
            .build();

    static final Schema TASK = builder()
            .attributes("driver", "user")
            .block("config")
            .map("env")
            .map("meta")
            .block("resources")
            .block("restart")
            .attributes("kill_timeout", "kill_signal")
            .block("logs")
            .block("lifecycle")
            .attributes("leader", "shutdown_delay")
            .notYet("constraint", "affinity", "service", "template", "artifact", "vault", "volume_mount",
                    "dispatch_payload", "kind", "csi_plugin", "scaling", "identity", "consul", "action", "schedule",
                    "secret")
            .build();

    static final Schema RESOURCES = builder()
            .attributes("cpu", "memory", "memory_max")
            .notYet("cores", "device", "numa", "disk", "iops", "network", "secrets")
            .build();

    static final Schema LOGS = builder()
            .attributes("max_files", "max_file_size", "disabled")
            .notYet("enabled")
            .build();

    static final Schema LIFECYCLE = builder()
            .attributes("hook", "sidecar")
            .build();
}
