package dev.drover.agent.task;

import dev.drover.agent.AgentServices;
import dev.drover.agent.alloc.AllocDir;
import dev.drover.agent.alloc.Allocation;
import dev.drover.agent.job.Job;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import dev.drover.sdk.driver.TaskDriver;
import dev.drover.sdk.env.TaskEnv;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the task runner's hooks read and fill in, for one task. Hooks run one after another on the
 * runner's thread, so the mutable fields need no locking.
 */
public final class TaskContext {
    public final AgentServices services;
    public final Allocation alloc;
    public final Job job;
    public final TaskGroup group;
    public final Task task;
    public final AllocDir allocDir;
    public final TaskDriver driver;
    private final Consumer<TaskEventRecord> events;
    private final TaskPersistence persistence;

    /** Set by the env hook. */
    TaskEnv env;
    /** The {@code config {}} block after interpolation; set by the env hook. */
    Map<String, Object> driverConfig;
    /** Where the task's output goes; set by the logmon hook ("/dev/null" when logs are disabled). */
    String stdoutPath = "/dev/null";
    String stderrPath = "/dev/null";

    TaskContext(AgentServices services, Allocation alloc, Job job, TaskGroup group, Task task, AllocDir allocDir,
                TaskDriver driver, Consumer<TaskEventRecord> events, TaskPersistence persistence) {
        this.services = services;
        this.alloc = alloc;
        this.job = job;
        this.group = group;
        this.task = task;
        this.allocDir = allocDir;
        this.driver = driver;
        this.events = events;
        this.persistence = persistence;
    }

    public void emit(TaskEventRecord event) {
        events.accept(event);
    }

    /** Data a hook persisted earlier (e.g. before an agent restart); empty if none. */
    public Map<String, String> hookData(String hook) {
        return persistence.local().hookData().getOrDefault(hook, Map.of());
    }

    /**
     * Saves a hook's data. Prestart hooks run before the task's process exists: their data becomes
     * durable with the start's commit (together with the task handle), not with an fsync of its own.
     */
    public void saveHookData(String hook, Map<String, String> data) {
        persistence.write(local -> local.withHookData(hook, data));
    }

    public TaskEnv env() {
        return env;
    }

    public void setEnv(TaskEnv env, Map<String, Object> driverConfig) {
        this.env = env;
        this.driverConfig = driverConfig;
    }

    public void setOutput(String stdout, String stderr) {
        this.stdoutPath = stdout;
        this.stderrPath = stderr;
    }

    /** "<alloc id>/<task>": names the task's logmon session and cgroup, stable across restarts. */
    public String taskKey() {
        return alloc.id() + "/" + task.name();
    }
}
