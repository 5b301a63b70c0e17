package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.BlockReader.or;
import static dev.drover.agent.jobspec.HclJobDecoder.quote;

import dev.drover.agent.job.JobDefaults;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.jobspec.hcl.Diagnostic;
import dev.drover.agent.jobspec.hcl.HclBlock;
import dev.drover.agent.jobspec.hcl.HclException;
import dev.drover.agent.jobspec.hcl.HclValues;
import dev.drover.agent.jobspec.hcl.Pos;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Decodes task blocks and the blocks inside them; restart blocks of groups too. */
final class HclTaskDecoder {

    private final Problems problems;

    HclTaskDecoder(Problems problems) {
        this.problems = problems;
    }

    /** @param groupRestart the policy to inherit; null if the group's own was invalid */
    Task task(HclBlock block, RestartPolicy groupRestart) {
        String name = block.labels().getFirst();
        String where = "task " + quote(name);
        var r = BlockReader.of(problems, where, block, Schema.TASK);
        String driver = or(r.string("driver"), "");
        String user = or(r.string("user"), JobDefaults.USER);
        Map<String, Object> config = r.block("config") == null ? Map.of() : config(r.block("config"));
        Map<String, String> env = r.stringMap("env");
        Map<String, String> meta = r.stringMap("meta");
        Resources resources = or(resources(r.block("resources"), where), JobDefaults.resources());
        RestartPolicy restart = groupRestart == null
                ? JobDefaults.restart(JobDefaults.TYPE) // the group's error is reported; this is a stand-in
                : or(restart(r.block("restart"), where, groupRestart), groupRestart);
        Duration killTimeout = or(r.duration("kill_timeout"), JobDefaults.KILL_TIMEOUT);
        String killSignal = or(r.string("kill_signal"), JobDefaults.KILL_SIGNAL);
        Logs logs = or(logs(r.block("logs"), where), JobDefaults.logs());
        Lifecycle lifecycle = lifecycle(r.block("lifecycle"), where);
        boolean leader = or(r.bool("leader"), false);
        Duration shutdownDelay = or(r.duration("shutdown_delay"), JobDefaults.SHUTDOWN_DELAY);
        return r.build(() -> new Task(name, driver, user, config, env, meta, resources, restart, killTimeout,
                killSignal, logs, lifecycle, leader, shutdownDelay), Map.of());
    }

    /**
     * A restart block applied over {@code base} field by field; {@code base} itself when there is
     * no block; null (after reporting) when the result is invalid.
     */
    RestartPolicy restart(HclBlock block, String owner, RestartPolicy base) {
        if (block == null) {
            return base;
        }
        var r = BlockReader.of(problems, "restart block of " + owner, block, Schema.RESTART);
        var override = new RestartOverride(r.integer("attempts"), r.duration("interval"), r.duration("delay"),
                r.string("mode"));
        return r.build(() -> override.applyTo(base), Map.of());
    }

    private Resources resources(HclBlock block, String task) {
        if (block == null) {
            return null;
        }
        var r = BlockReader.of(problems, "resources block of " + task, block, Schema.RESOURCES);
        int cpu = or(r.integer("cpu"), JobDefaults.CPU_MHZ);
        int memory = or(r.integer("memory"), JobDefaults.MEMORY_MB);
        int memoryMax = or(r.integer("memory_max"), JobDefaults.MEMORY_MAX_MB);
        return r.build(() -> new Resources(cpu, memory, memoryMax),
                Map.of("memoryMB", "memory", "memoryMaxMB", "memory_max"));
    }

    private Logs logs(HclBlock block, String task) {
        if (block == null) {
            return null;
        }
        var r = BlockReader.of(problems, "logs block of " + task, block, Schema.LOGS);
        int maxFiles = or(r.integer("max_files"), JobDefaults.LOG_MAX_FILES);
        int maxFileSize = or(r.integer("max_file_size"), JobDefaults.LOG_MAX_FILE_SIZE_MB);
        boolean disabled = or(r.bool("disabled"), false);
        return r.build(() -> new Logs(maxFiles, maxFileSize, disabled), Map.of("maxFileSizeMB", "max_file_size"));
    }

    private Lifecycle lifecycle(HclBlock block, String task) {
        if (block == null) {
            return null;
        }
        var r = BlockReader.of(problems, "lifecycle block of " + task, block, Schema.LIFECYCLE);
        String hook = or(r.string("hook"), "");
        boolean sidecar = or(r.bool("sidecar"), false);
        return r.build(() -> new Lifecycle(hook, sidecar), Map.of());
    }

    /**
     * The driver's free-form settings, kept as plain values (see {@link Task#config()}). Attributes
     * set to null are dropped, as HCL treats them as unset.
     */
    private Map<String, Object> config(HclBlock block) {
        Map<String, Object> plain;
        try {
            plain = HclValues.toPlain(block.body());
        } catch (HclException e) {
            for (Diagnostic d : e.diagnostics()) {
                problems.error(d.pos(), d.message());
            }
            return Map.of();
        }
        return withoutNulls(plain, "config", block.pos());
    }

    private Map<String, Object> withoutNulls(Map<String, Object> map, String path, Pos pos) {
        var out = new LinkedHashMap<String, Object>();
        map.forEach((k, v) -> {
            if (v != null) {
                out.put(k, withoutNulls(v, path + "." + k, pos));
            }
        });
        return out;
    }

    @SuppressWarnings("unchecked")
    private Object withoutNulls(Object value, String path, Pos pos) {
        if (value instanceof Map<?, ?> map) {
            return withoutNulls((Map<String, Object>) map, path, pos);
        }
        if (value instanceof List<?> list) {
            var out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                if (list.get(i) == null) {
                    problems.error(pos, path + "[" + i + "] is null; lists in config cannot hold null");
                } else {
                    out.add(withoutNulls(list.get(i), path + "[" + i + "]", pos));
                }
            }
            return out;
        }
        return value;
    }
}
