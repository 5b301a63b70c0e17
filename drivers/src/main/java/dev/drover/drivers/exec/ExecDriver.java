package dev.drover.drivers.exec;

import dev.drover.drivers.shared.ExecutorDriver;
import dev.drover.drivers.shared.OciRuntimeProbe;
import dev.drover.drivers.shared.Sandbox;
import dev.drover.drivers.shared.SandboxPluginConfig;
import dev.drover.drivers.shared.SandboxTaskConfig;
import dev.drover.sdk.driver.Capabilities;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.executor.ExecCommand;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code exec}: runs a command in a sandbox rooted at the task dir (an OCI runtime started by the
 * isolated executor; host dirs from chroot_env are bound read-only), as {@code nobody} unless the
 * task sets a user. {@code isolation = "universal"} runs it like raw_exec instead.
 */
public final class ExecDriver extends ExecutorDriver {
    public static final String NAME = "exec";
    static final Set<String> TASK_CONFIG_FIELDS = union(Set.of("command", "args", "work_dir"), SandboxTaskConfig.FIELDS);

    private final Sandbox sandbox;

    public ExecDriver(DriverContext context) {
        this(context, OciRuntimeProbe.Host.system());
    }

    ExecDriver(DriverContext context, OciRuntimeProbe.Host host) {
        super(context);
        this.sandbox = new Sandbox(NAME, SandboxPluginConfig.read(NAME, context.pluginConfig()), host);
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, sandbox.fsIsolation(), false);
    }

    @Override
    public Fingerprint fingerprint() {
        var runtime = sandbox.runtime();
        var attrs = new LinkedHashMap<>(OciRuntimeProbe.attributes(NAME, runtime));
        var problem = sandbox.problem();
        if (problem.isPresent()) return new Fingerprint(Fingerprint.Health.UNHEALTHY, problem.get(), attrs);
        attrs.put("driver." + NAME, "1");
        return new Fingerprint(Fingerprint.Health.HEALTHY, sandbox.healthDescription(), attrs);
    }

    @Override
    public void validateTaskConfig(Map<String, Object> config) {
        read(config);
    }

    /** The task's command, checked; shared by validation and start so both give the same errors. */
    private Parsed read(Map<String, Object> config) {
        var c = new ConfigReader("config", config).allowOnly(TASK_CONFIG_FIELDS);
        return new Parsed(c.requiredString("command"), c.stringList("args"), c.string("work_dir", ""), sandbox.readTask(c));
    }

    private record Parsed(String command, List<String> args, String workDir, SandboxTaskConfig sandbox) {}

    /** The executor command for a task (what {@link #startTask} launches). */
    ExecCommand command(TaskConfig config) {
        var p = read(config.driverConfig());
        return sandbox.command(config, p.command(), p.args(), p.workDir(), p.sandbox());
    }

    @Override
    public StartedTask startTask(TaskConfig config) {
        return tasks.start(config, command(config));
    }











    static Set<String> union(Set<String> a, Set<String> b) {
        var all = new HashSet<>(a);
        all.addAll(b);
        return Set.copyOf(all);
    }
}
