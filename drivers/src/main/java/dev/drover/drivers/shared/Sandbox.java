package dev.drover.drivers.shared;

import dev.drover.drivers.shared.OciRuntimeProbe.Problem;
import dev.drover.drivers.shared.OciRuntimeProbe.Unusable;
import dev.drover.drivers.shared.OciRuntimeProbe.Usable;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.driver.FsIsolation;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.executor.Isolation.BindMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the exec and java drivers share: their plugin config, the runtime probe, the task fields
 * for isolation and the {@link ExecCommand} with its {@link Isolation}. A driver adds only its
 * own command line.
 */
public final class Sandbox {
    /** Nomad's exec driver user: tasks without {@code user} do not run as the agent's root. */
    public static final String DEFAULT_USER = "nobody";
    static final Duration FINGERPRINT_PERIOD = Duration.ofSeconds(30);

    private final String driver;
    private final SandboxPluginConfig plugin;
    private final PeriodicProbe<OciRuntimeProbe.Result> runtime;

    public Sandbox(String driver, SandboxPluginConfig plugin, OciRuntimeProbe.Host host) {
        this.driver = driver;
        this.plugin = plugin;
        this.runtime = new PeriodicProbe<>(FINGERPRINT_PERIOD, () -> OciRuntimeProbe.probe(host, plugin.runtime()));
    }

    public SandboxPluginConfig plugin() {
        return plugin;
    }

    /** The env vars name sandbox paths when tasks are isolated by default, host paths otherwise. */
    public FsIsolation fsIsolation() {
        return plugin.isolation() == IsolationMode.ISOLATED ? FsIsolation.CHROOT : FsIsolation.NONE;
    }

    public OciRuntimeProbe.Result runtime() {
        return runtime.get();
    }

    /** Why this driver cannot run its default kind of task here, or empty. */
    public Optional<String> problem() {
        var r = runtime();
        if (r instanceof Unusable u && (u.problem() == Problem.NOT_ROOT || plugin.isolation() == IsolationMode.ISOLATED)) {
            return Optional.of(u.reason());
        }
        return Optional.empty();
    }

    /** "Healthy", or the runtime fallback note ("crun unusable: …; using runc"). */
    public String healthDescription() {
        return runtime() instanceof Usable u ? u.healthDescription() : "Healthy";
    }

    /** Reads the shared task fields; an isolated task on a host without a usable runtime is refused. */
    public SandboxTaskConfig readTask(ConfigReader c) {
        var settings = SandboxTaskConfig.read(c, plugin);
        if (settings.isolation() == IsolationMode.ISOLATED && runtime() instanceof Unusable u) {
            throw DroverException.invalid("config.isolation: \"isolated\" needs a usable OCI runtime on this node: " + u.reason());
        }
        if (settings.isolation() == IsolationMode.UNIVERSAL && runtime() instanceof Unusable u && u.problem() == Problem.NOT_ROOT) {
            throw DroverException.invalid(driver + " driver: " + u.reason());
        }
        return settings;
    }

    /** The executor command for a task; {@code settings} comes from {@link #readTask}. */
    public ExecCommand command(TaskConfig task, String cmd, List<String> args, String workDir, SandboxTaskConfig settings) {
        Isolation isolation = null;
        if (settings.isolation() == IsolationMode.ISOLATED) {
            if (!(runtime() instanceof Usable u)) {
                throw DroverException.invalid(driver + " driver: no usable OCI runtime: " + ((Unusable) runtime()).reason());
            }
            isolation = isolation(task, settings, u.path().toString());
        }
        String user = task.user().isEmpty() ? DEFAULT_USER : task.user();
        return new ExecCommand(cmd, args, env(task, settings.isolation()), user, task.taskDir().toString(), workDir,
                task.stdoutPath(), task.stderrPath(), task.resources(), cgroupLeaf(task.id()), isolation);
    }

    Isolation isolation(TaskConfig task, SandboxTaskConfig settings, String runtimePath) {
        return new Isolation(runtimePath, mounts(plugin.chrootEnv(), task.sharedAllocDir()), settings.pidMode(), settings.ipcMode(),
                settings.capabilities(), plugin.noPivotRoot(), settings.pidsLimit());
    }

    /**
     * The sandbox's bind mounts: every chroot_env entry whose host path exists, read-only (host
     * dirs are shared, never copied), then the alloc's shared dir at /alloc, writable. The task
     * dir is the root, so its local/, secrets/ and tmp/ are /local, /secrets and /tmp.
     */
    public static List<BindMount> mounts(Map<String, String> chrootEnv, Path sharedAllocDir) {
        var out = new ArrayList<BindMount>();
        chrootEnv.forEach((source, target) -> {
            if (Files.exists(Path.of(source))) out.add(new BindMount(source, target, true));
        });
        out.add(new BindMount(sharedAllocDir.toString(), "/alloc", false));
        return out;
    }

    /**
     * The env with the directory variables right for the mode the task actually runs in: the
     * agent built them from the driver-wide default, and a task may choose the other executor.
     */
    static Map<String, String> env(TaskConfig task, IsolationMode mode) {
        if (!task.env().containsKey("NOMAD_TASK_DIR")) return task.env();
        var env = new HashMap<>(task.env());
        boolean isolated = mode == IsolationMode.ISOLATED;
        env.put("NOMAD_ALLOC_DIR", isolated ? "/alloc" : task.sharedAllocDir().toString());
        env.put("NOMAD_TASK_DIR", isolated ? "/local" : task.localDir().toString());
        env.put("NOMAD_SECRETS_DIR", isolated ? "/secrets" : task.secretsDir().toString());
        return env;
    }

    /** Task ids contain '/'; a cgroup leaf name must not. */
    public static String cgroupLeaf(String taskId) {
        return taskId.replace('/', '.');
    }
}
