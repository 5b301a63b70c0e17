package dev.drover.drivers.java;

import dev.drover.drivers.shared.ExecutorDriver;
import dev.drover.drivers.shared.OciRuntimeProbe;
import dev.drover.drivers.shared.PeriodicProbe;
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
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * {@code java}: runs a jar or a main class with the {@code java} found in the sandbox (the host's
 * /usr, bound read-only), with the same isolation settings as {@code exec}. Detected only where
 * the host has a {@code java}.
 */
public final class JavaDriver extends ExecutorDriver {
    public static final String NAME = "java";
    static final Set<String> TASK_CONFIG_FIELDS = fields();

    private final Sandbox sandbox;
    private final PeriodicProbe<JavaProbe.Result> java;

    public JavaDriver(DriverContext context) {
        this(context, OciRuntimeProbe.Host.system());
    }

    JavaDriver(DriverContext context, OciRuntimeProbe.Host host) {
        super(context);
        this.sandbox = new Sandbox(NAME, SandboxPluginConfig.read(NAME, context.pluginConfig()), host);
        this.java = new PeriodicProbe<>(Duration.ofSeconds(30), () -> JavaProbe.probe(host.searchPath(), host.runner(), host.timeout()));
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
        var probe = java.get();
        if (!(probe instanceof JavaProbe.Found found)) return Fingerprint.undetected(((JavaProbe.Missing) probe).reason());
        var problem = sandbox.problem();
        if (problem.isPresent()) return new Fingerprint(Fingerprint.Health.UNHEALTHY, problem.get(), Map.of());
        return new Fingerprint(Fingerprint.Health.HEALTHY, sandbox.healthDescription(), new LinkedHashMap<>(found.version().attributes()));
    }

    @Override
    public void validateTaskConfig(Map<String, Object> config) {
        read(config);
    }

    private record Parsed(JavaCommand java, String workDir, SandboxTaskConfig sandbox) {}

    private Parsed read(Map<String, Object> config) {
        var c = new ConfigReader("config", config).allowOnly(TASK_CONFIG_FIELDS);
        return new Parsed(JavaCommand.read(c), c.string("work_dir", ""), sandbox.readTask(c));
    }

    /** The executor command for a task (what {@link #startTask} launches). */
    ExecCommand command(TaskConfig config) {
        var p = read(config.driverConfig());
        return sandbox.command(config, JavaCommand.BINARY, p.java().arguments(), p.workDir(), p.sandbox());
    }

    @Override
    public StartedTask startTask(TaskConfig config) {
        return tasks.start(config, command(config));
    }











    private static Set<String> fields() {
        var all = new HashSet<>(JavaCommand.FIELDS);
        all.add("work_dir");
        all.addAll(SandboxTaskConfig.FIELDS);
        return Set.copyOf(all);
    }
}
