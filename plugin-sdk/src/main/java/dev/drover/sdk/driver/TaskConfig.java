package dev.drover.sdk.driver;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Everything a driver needs to start one attempt of a task (Nomad's drivers.TaskConfig).
 *
 * @param id           {@code <allocId>/<task>/<8 hex>}: new for every start attempt
 * @param env          the final environment (already built and interpolated)
 * @param driverConfig the task's {@code config {}} block, interpolated, as plain values
 * @param allocDir     host path of the allocation directory
 * @param stdoutPath   the fifo the task's stdout must go to (logmon reads it); "/dev/null" when logs are off
 */
public record TaskConfig(String id, String namespace, String jobId, String jobName, String groupName,
                         String name, String allocId, String allocName, String user,
                         Map<String, String> env, Resources resources, Map<String, Object> driverConfig,
                         String allocDir, String stdoutPath, String stderrPath, List<AllocatedPort> ports) {
    public TaskConfig {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("task id is required");
        if (name == null || name.isBlank()) throw new IllegalArgumentException("task name is required");
        env = Map.copyOf(env);
        driverConfig = driverConfig == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(driverConfig));
        ports = List.copyOf(ports);
        user = user == null ? "" : user;
    }

    /** The task's identity, the labels of every metric a driver emits for it. */
    public TaskIdentity identity() {
        return new TaskIdentity(namespace, jobId, groupName, name, allocId, TaskIdentity.indexOf(allocName));
    }

    /** Host path of this task's directory. */
    public Path taskDir() {
        return Path.of(allocDir, name);
    }

    public Path localDir() {
        return taskDir().resolve("local");
    }

    public Path secretsDir() {
        return taskDir().resolve("secrets");
    }

    public Path sharedAllocDir() {
        return Path.of(allocDir, "alloc");
    }

    public Path logDir() {
        return sharedAllocDir().resolve("logs");
    }
}
