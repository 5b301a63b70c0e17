package dev.drover.agent.jobspec;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Nomad's JSON job form, which the HTTP API speaks: PascalCase keys, durations in nanoseconds,
 * ports split into ReservedPorts and DynamicPorts. Reading ignores keys Drover does not use and
 * fills in the same defaults as HCL; {@code fromJson(toJson(job))} equals {@code job}.
 */
public final class JobJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JobJson() {}

    /**
     * Accepts {@code {"Job": {...}}} or the bare job object.
     *
     * @throws JobspecException listing every problem as {@code Job.TaskGroups[0].Count: message},
     *     in the order found (a group's own problems come after its tasks')
     */
    public static Job fromJson(JsonNode json) {
        return new JsonJobReader().read(json);
    }

    /** The bare job object (wrap it in {@code {"Job": ...}} where Nomad's API expects that). */
    public static ObjectNode toJson(Job job) {
        ObjectNode o = NODES.objectNode();
        o.put("ID", job.id());
        o.put("Name", job.name());
        o.put("Type", job.type());
        o.put("Namespace", job.namespace());
        o.put("Region", job.region());
        ArrayNode dcs = o.putArray("Datacenters");
        job.datacenters().forEach(dcs::add);
        o.put("Priority", job.priority());
        o.set("Meta", strings(job.meta()));
        ArrayNode groups = o.putArray("TaskGroups");
        job.groups().forEach(g -> groups.add(group(g)));
        return o;
    }

    private static ObjectNode group(TaskGroup g) {
        ObjectNode o = NODES.objectNode();
        o.put("Name", g.name());
        o.put("Count", g.count());
        o.set("RestartPolicy", restart(g.restart()));
        ArrayNode networks = o.putArray("Networks");
        if (g.network() != null) {
            ObjectNode n = networks.addObject();
            n.put("Mode", g.network().mode());
            ArrayNode reserved = n.putArray("ReservedPorts");
            ArrayNode dynamic = n.putArray("DynamicPorts");
            for (Port p : g.network().ports()) {
                ObjectNode port = (p.isDynamic() ? dynamic : reserved).addObject();
                port.put("Label", p.label());
                port.put("Value", p.value());
                port.put("To", p.to());
                port.put("HostNetwork", p.hostNetwork());
            }
        }
        o.set("Meta", strings(g.meta()));
        ArrayNode tasks = o.putArray("Tasks");
        g.tasks().forEach(t -> tasks.add(task(t)));
        return o;
    }

    private static ObjectNode task(Task t) {
        ObjectNode o = NODES.objectNode();
        o.put("Name", t.name());
        o.put("Driver", t.driver());
        o.put("User", t.user());
        o.set("Config", plain(t.config()));
        o.set("Env", strings(t.env()));
        o.set("Meta", strings(t.meta()));
        ObjectNode resources = o.putObject("Resources");
        resources.put("CPU", t.resources().cpu());
        resources.put("MemoryMB", t.resources().memoryMB());
        resources.put("MemoryMaxMB", t.resources().memoryMaxMB());
        o.set("RestartPolicy", restart(t.restart()));
        o.put("KillTimeout", nanos(t.killTimeout()));
        o.put("KillSignal", t.killSignal());
        ObjectNode logs = o.putObject("LogConfig");
        logs.put("MaxFiles", t.logs().maxFiles());
        logs.put("MaxFileSizeMB", t.logs().maxFileSizeMB());
        logs.put("Disabled", t.logs().disabled());
        Lifecycle lifecycle = t.lifecycle();
        if (lifecycle == null) {
            o.putNull("Lifecycle");
        } else {
            ObjectNode l = o.putObject("Lifecycle");
            l.put("Hook", lifecycle.hook());
            l.put("Sidecar", lifecycle.sidecar());
        }
        o.put("Leader", t.leader());
        o.put("ShutdownDelay", nanos(t.shutdownDelay()));
        return o;
    }

    private static ObjectNode restart(RestartPolicy r) {
        ObjectNode o = NODES.objectNode();
        o.put("Attempts", r.attempts());
        o.put("Interval", nanos(r.interval()));
        o.put("Delay", nanos(r.delay()));
        o.put("Mode", r.mode());
        return o;
    }

    private static long nanos(Duration d) {
        return d.toNanos();
    }

    private static ObjectNode strings(Map<String, String> map) {
        ObjectNode o = NODES.objectNode();
        map.forEach(o::put);
        return o;
    }

    /** Task config values: String, Long, Double, Boolean, List and Map (see {@link Task#config()}). */
    private static JsonNode plain(Object value) {
        return switch (value) {
            case String s -> NODES.stringNode(s);
            case Long l -> NODES.numberNode(l);
            case Double d -> NODES.numberNode(d);
            case Boolean b -> NODES.booleanNode(b);
            case List<?> list -> {
                ArrayNode a = NODES.arrayNode();
                list.forEach(v -> a.add(plain(v)));
                yield a;
            }
            case Map<?, ?> map -> {
                ObjectNode o = NODES.objectNode();
                map.forEach((k, v) -> o.set((String) k, plain(v)));
                yield o;
            }
            default -> throw new IllegalStateException("not a config value: " + value);
        };
    }
}
