package dev.drover.drivers.rawexec;

import dev.drover.drivers.shared.ExecutorDriver;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.Capabilities;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.FsIsolation;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.executor.ExecCommand;
import java.util.Map;
import java.util.Set;

/**
 * {@code raw_exec}: runs a command on the host with no isolation, under the universal executor.
 * Disabled unless the agent config says {@code plugin "raw_exec" { config { enabled = true } }}.
 */
public final class RawExecDriver extends ExecutorDriver {
    public static final String NAME = "raw_exec";
    static final Set<String> TASK_CONFIG_FIELDS = Set.of("command", "args", "work_dir");
    static final Set<String> PLUGIN_CONFIG_FIELDS = Set.of("enabled");

    private final boolean enabled;

    public RawExecDriver(DriverContext context) {
        super(context);
        var config = new ConfigReader("plugin \"raw_exec\" config", context.pluginConfig()).allowOnly(PLUGIN_CONFIG_FIELDS);
        this.enabled = config.bool("enabled", false);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, FsIsolation.NONE, false);
    }

    @Override
    public Fingerprint fingerprint() {
        return enabled ? Fingerprint.healthy(Map.of("driver.raw_exec", "1"))
                : Fingerprint.undetected("disabled: set plugin \"raw_exec\" { config { enabled = true } } in the agent config");
    }

    @Override
    public void validateTaskConfig(Map<String, Object> config) {
        var c = new ConfigReader("config", config).allowOnly(TASK_CONFIG_FIELDS);
        c.requiredString("command");
        c.stringList("args");
        c.string("work_dir", "");
    }

    @Override
    public StartedTask startTask(TaskConfig config) {
        if (!enabled) throw DroverException.invalid("raw_exec driver is disabled on this agent");
        var c = new ConfigReader("config", config.driverConfig()).allowOnly(TASK_CONFIG_FIELDS);
        var command = new ExecCommand(c.requiredString("command"), c.stringList("args"), config.env(), config.user(),
                config.taskDir().toString(), c.string("work_dir", ""), config.stdoutPath(), config.stderrPath(),
                config.resources(), cgroupLeaf(config.id()));
        return tasks.start(config, command);
    }

    /** Task ids contain '/'; a cgroup leaf name must not. */
    static String cgroupLeaf(String taskId) {
        return taskId.replace('/', '.');
    }










}
