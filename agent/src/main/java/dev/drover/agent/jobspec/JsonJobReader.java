package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.BlockReader.or;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.JobDefaults;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Network;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import dev.drover.agent.jobspec.JsonFields.Children;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import tools.jackson.databind.JsonNode;

/**
 * Decodes Nomad's JSON job form, level by level like {@link HclJobDecoder}, with the same
 * defaults ({@link JobDefaults}) and the same validation (the model records). Each method returns
 * null after reporting a problem so decoding goes on and all problems are reported.
 */
final class JsonJobReader {

    private final List<String> errors = new ArrayList<>();

    Job read(JsonNode root) {
        JsonNode job = root.has("Job") && root.get("Job").isObject() ? root.get("Job") : root;
        if (!job.isObject()) {
            errors.add("Job: expected an object, got " + JsonFields.show(job));
            throw new JobspecException(errors);
        }
        Job decoded = job(new JsonFields(job, "Job", errors));
        if (!errors.isEmpty()) {
            throw new JobspecException(errors);
        }
        return decoded;
    }

    private Job job(JsonFields f) {
        String id = or(f.string("ID"), "");
        String type = or(f.optionalString("Type"), JobDefaults.TYPE);
        String name = or(f.optionalString("Name"), id);
        String namespace = or(f.optionalString("Namespace"), JobDefaults.NAMESPACE);
        String region = or(f.optionalString("Region"), JobDefaults.REGION);
        List<String> datacenters = or(f.stringList("Datacenters"), JobDefaults.DATACENTERS);
        int priority = or(f.integer("Priority"), JobDefaults.PRIORITY);
        Map<String, String> meta = f.stringMap("Meta");
        RestartPolicy restartBase = JobDefaults.restart(Job.TYPES.contains(type) ? type : JobDefaults.TYPE);
        Children<TaskGroup> groups = each(f.objects("TaskGroups"), "groups", g -> group(g, restartBase));
        var dcs = new Children<>("datacenters", datacenters, indexPaths(f.path("Datacenters"), datacenters.size()), true);
        return f.build(() -> new Job(id, name, type, namespace, region, datacenters, priority, meta, groups.values()),
                Map.of("id", "ID", "groups", "TaskGroups"), groups, dcs);
    }

    private TaskGroup group(JsonFields f, RestartPolicy restartBase) {
        String name = or(f.string("Name"), "");
        int count = or(f.integer("Count"), JobDefaults.COUNT);
        RestartPolicy restart = restart(f.object("RestartPolicy"), restartBase);
        Network network = network(f);
        Map<String, String> meta = f.stringMap("Meta");
        Children<Task> tasks = each(f.objects("Tasks"), "tasks", t -> task(t, restart));
        return f.build(() -> new TaskGroup(name, count, or(restart, restartBase), network, meta, tasks.values()),
                Map.of("restart", "RestartPolicy"), tasks);
    }

    /** Nomad allows a list of networks; Drover supports one per group. */
    private Network network(JsonFields group) {
        List<JsonFields> networks = group.objects("Networks");
        if (networks == null || networks.isEmpty() || networks.getFirst() == null) {
            return null; // none, or an error reported already
        }
        if (networks.size() > 1) {
            group.error(group.path("Networks"), "only one network per group is supported, got " + networks.size());
            return null;
        }
        JsonFields f = networks.getFirst();
        String mode = or(f.optionalString("Mode"), JobDefaults.NETWORK_MODE);
        // Reserved (static) ports first: the order Network keeps them in.
        Children<Port> reserved = each(f.objects("ReservedPorts"), "ports", p -> port(p, true));
        Children<Port> dynamic = each(f.objects("DynamicPorts"), "ports", p -> port(p, false));
        var ports = new Children<>("ports", concat(reserved.values(), dynamic.values()),
                concat(reserved.paths(), dynamic.paths()), reserved.complete() && dynamic.complete());
        return f.build(() -> new Network(mode, ports.values()), Map.of(), ports);
    }

    private Port port(JsonFields f, boolean reserved) {
        String label = or(f.string("Label"), "");
        int value = 0; // a dynamic port's Value is picked at placement, so it is not part of the spec
        if (reserved) {
            Integer given = f.integer("Value");
            if (f.get("Value") == null) {
                f.error(f.path("Value"), "required for a reserved port");
            } else if (given != null && given == 0) {
                f.error(f.path("Value"), "a reserved port needs a value between 1 and 65535");
            }
            value = or(given, 0);
        }
        int to = or(f.integer("To"), 0);
        String network = or(f.optionalString("HostNetwork"), JobDefaults.HOST_NETWORK);
        int portValue = value;
        return f.build(() -> new Port(label, portValue, to, network), Map.of());
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        var out = new ArrayList<T>(a);
        out.addAll(b);
        return out;
    }

    private Task task(JsonFields f, RestartPolicy groupRestart) {
        String name = or(f.string("Name"), "");
        String driver = or(f.string("Driver"), "");
        String user = or(f.string("User"), JobDefaults.USER);
        Map<String, Object> config = f.plainMap("Config");
        Map<String, String> env = f.stringMap("Env");
        Map<String, String> meta = f.stringMap("Meta");
        Resources resources = or(resources(f.object("Resources")), JobDefaults.resources());
        RestartPolicy restart = groupRestart == null
                ? JobDefaults.restart(JobDefaults.TYPE) // the group's error is reported; this is a stand-in
                : or(restart(f.object("RestartPolicy"), groupRestart), groupRestart);
        Duration killTimeout = or(f.nanos("KillTimeout"), JobDefaults.KILL_TIMEOUT);
        String killSignal = or(f.string("KillSignal"), JobDefaults.KILL_SIGNAL);
        Logs logs = or(logs(f.object("LogConfig")), JobDefaults.logs());
        Lifecycle lifecycle = lifecycle(f.object("Lifecycle"));
        boolean leader = or(f.bool("Leader"), false);
        Duration shutdownDelay = or(f.nanos("ShutdownDelay"), JobDefaults.SHUTDOWN_DELAY);
        return f.build(() -> new Task(name, driver, user, config, env, meta, resources, restart, killTimeout,
                killSignal, logs, lifecycle, leader, shutdownDelay), Map.of("restart", "RestartPolicy", "logs", "LogConfig"));
    }

    /** {@code base} with the fields the JSON sets; null (after reporting) if invalid. */
    private RestartPolicy restart(JsonFields f, RestartPolicy base) {
        if (f == null) {
            return base;
        }
        var override = new RestartOverride(f.integer("Attempts"), f.nanos("Interval"), f.nanos("Delay"), f.optionalString("Mode"));
        return f.build(() -> override.applyTo(base), Map.of());
    }

    private Resources resources(JsonFields f) {
        if (f == null) {
            return null;
        }
        int cpu = or(f.integer("CPU"), JobDefaults.CPU_MHZ);
        int memory = or(f.integer("MemoryMB"), JobDefaults.MEMORY_MB);
        int memoryMax = or(f.integer("MemoryMaxMB"), JobDefaults.MEMORY_MAX_MB);
        return f.build(() -> new Resources(cpu, memory, memoryMax), Map.of("cpu", "CPU"));
    }

    private Logs logs(JsonFields f) {
        if (f == null) {
            return null;
        }
        int maxFiles = or(f.integer("MaxFiles"), JobDefaults.LOG_MAX_FILES);
        int maxFileSize = or(f.integer("MaxFileSizeMB"), JobDefaults.LOG_MAX_FILE_SIZE_MB);
        boolean disabled = or(f.bool("Disabled"), false);
        return f.build(() -> new Logs(maxFiles, maxFileSize, disabled), Map.of());
    }

    /** Nomad writes an empty Hook for "no lifecycle", so that reads as null too. */
    private Lifecycle lifecycle(JsonFields f) {
        if (f == null) {
            return null;
        }
        String hook = f.optionalString("Hook");
        if (hook == null) {
            return null;
        }
        boolean sidecar = or(f.bool("Sidecar"), false);
        return f.build(() -> new Lifecycle(hook, sidecar), Map.of());
    }

    /** Decodes each object of an array (see {@link JsonFields#objects}); the ones that fail are left out. */
    private static <T> Children<T> each(List<JsonFields> items, String field, Function<JsonFields, T> decoder) {
        if (items == null) {
            return new Children<>(field, List.of(), List.of(), false);
        }
        var values = new ArrayList<T>();
        var paths = new ArrayList<String>();
        for (JsonFields item : items) {
            T decoded = item == null ? null : decoder.apply(item);
            if (decoded != null) {
                values.add(decoded);
                paths.add(item.path());
            }
        }
        return new Children<>(field, values, paths, values.size() == items.size());
    }

    private static List<String> indexPaths(String path, int size) {
        var paths = new ArrayList<String>();
        for (int i = 0; i < size; i++) {
            paths.add(path + "[" + i + "]");
        }
        return paths;
    }
}
