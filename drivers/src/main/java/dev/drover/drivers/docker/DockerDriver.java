package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.shared.PeriodicProbe;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.Capabilities;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.FsIsolation;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.StreamingExecDriver;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskDriver;
import dev.drover.sdk.driver.TaskEvent;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskPrestarter;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.driver.TaskStatus;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.metrics.DriverMetrics;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import tools.jackson.databind.JsonNode;

/**
 * {@code docker}: runs each task as a container of a real Docker Engine, through its API on a
 * unix socket. Prestart pulls the image with progress events; the engine supervises the process
 * (no executor); a docker_logger plugin copies the container's output into the task's logmon
 * fifos; images are removed {@code image_delay} after their last task. See docs/docker.md.
 */
public final class DockerDriver implements TaskDriver, TaskPrestarter, StreamingExecDriver {
    private static final Logger LOG = Logger.getLogger(DockerDriver.class.getName());
    public static final String NAME = "docker";
    static final Duration FINGERPRINT_TIMEOUT = Duration.ofSeconds(5);
    static final Duration FINGERPRINT_PERIOD = Duration.ofSeconds(15);

    private final DockerPluginConfig plugin;
    private final DockerApi api;
    private final DriverContext context;
    private final ImagePuller puller;
    private final ImageRefs images;
    private final ContainerTasks tasks;
    private final DockerExec execs;
    private final PeriodicProbe<Fingerprint> probe;
    private final DockerStats stats;
    private final DriverMetrics.Counter pullBytes;
    private final DriverMetrics.Timer pullTime;
    private final DriverMetrics.Timer containerStartTime;
    private final DriverMetrics.Counter execSessions;
    private volatile boolean everHealthy;

    public DockerDriver(DriverContext context) {
        this.context = context;
        this.plugin = DockerPluginConfig.read(context.pluginConfig());
        this.api = new DockerApi(plugin.endpoint());
        this.puller = new ImagePuller(api);
        var stateFile = context.plugins() == null ? null : context.plugins().launcher().stateDir().resolve("docker").resolve("images.json");
        this.images = new ImageRefs(api, plugin.gcImage(), plugin.imageDelay(), stateFile);
        this.tasks = new ContainerTasks(api, plugin, context.plugins(), images);
        this.execs = new DockerExec(api);
        this.probe = new PeriodicProbe<>(FINGERPRINT_PERIOD, this::probe);
        this.stats = new DockerStats(api);
        var metrics = context.metrics();
        this.pullBytes = metrics.counter("image_pull_bytes", "Bytes of image layers downloaded for the task");
        this.pullTime = metrics.timer("image_pull_seconds", "Time pulling the task's image (pulls this task started)");
        this.containerStartTime = metrics.timer("container_start_seconds",
                "Time to create and start the task's container and attach its logger");
        this.execSessions = metrics.counter("exec_sessions", "Interactive exec sessions opened in the task (alloc exec)");
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Capabilities capabilities() {
        return new Capabilities(true, true, FsIsolation.IMAGE, false);
    }

    @Override
    public Fingerprint fingerprint() {
        return probe.get();
    }

    /** The engine answers → healthy with its version; never reached → undetected; lost → unhealthy. */
    private Fingerprint probe() {
        JsonNode version;
        try {
            version = api.version(FINGERPRINT_TIMEOUT);
        } catch (DroverException e) {
            String why = "docker engine not reachable at " + plugin.endpoint() + ": " + e.getMessage();
            return everHealthy ? new Fingerprint(Fingerprint.Health.UNHEALTHY, why, Map.of()) : Fingerprint.undetected(why);
        }
        everHealthy = true;
        try {
            images.rebuildOnce();
        } catch (DroverException e) {
            LOG.warning("could not rebuild image references: " + e.getMessage());
        }
        var attrs = new LinkedHashMap<String, String>();
        attrs.put("driver.docker", "1");
        attrs.put("driver.docker.version", version.path("Version").asString(""));
        attrs.put("driver.docker.api_version", version.path("ApiVersion").asString(""));
        attrs.put("driver.docker.privileged.enabled", Boolean.toString(plugin.allowPrivileged()));
        attrs.put("driver.docker.volumes.enabled", Boolean.toString(plugin.volumesEnabled()));
        return Fingerprint.healthy(attrs);
    }

    /** Config errors, privileged and cap_add against this agent's plugin config, all at submit time. */
    @Override
    public void validateTaskConfig(Map<String, Object> config) {
        var c = DockerTaskConfig.parse(config);
        if (c.privileged() && !plugin.allowPrivileged()) {
            throw DroverException.invalid("config.privileged: privileged containers are not allowed on this agent;"
                    + " set plugin \"docker\" { config { allow_privileged = true } }");
        }
        try {
            CapabilitySet.calculate(DockerPluginConfig.DOCKER_DEFAULT_CAPS, plugin.allowCaps(), c.capAdd(), c.capDrop());
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid("config.cap_add: " + e.getMessage());
        }
        for (int i = 0; i < c.volumes().size(); i++) {
            String where = "config.volumes[" + i + "]";
            if (!plugin.volumesEnabled() && DockerTaskConfig.volume(where, c.volumes().get(i)).source().startsWith("/")) {
                throw DroverException.invalid(where + ": host path \"" + c.volumes().get(i).split(":")[0] + "\" is outside the"
                        + " allocation directory; use a path relative to the task dir, or set plugin \"docker\" { config { volumes { enabled = true } } }");
            }
        }
    }

    /** Pulls the image (if absent or force_pull), with "Downloading image" and progress events. */
    @Override
    public void prestart(TaskConfig config) {
        var c = DockerTaskConfig.parse(config.driverConfig());
        pulled(config, puller.ensure(c.image(), c.auth(), c.forcePull(), c.imagePullTimeout(), message -> event(config, message)));
    }

    private String pulled(TaskConfig config, ImagePuller.Ensured image) {
        if (image.pulled()) {
            pullBytes.add(config.identity(), image.pulledBytes());
            pullTime.observe(config.identity(), Duration.ofNanos(image.pullNanos()));
        }
        return image.id();
    }

    private void event(TaskConfig config, String message) {
        if (context.events() == null) return;
        context.events().accept(new TaskEvent(config.id(), config.name(), config.allocId(), Instant.now(), message, Map.of()));
    }

    @Override
    public StartedTask startTask(TaskConfig config) {
        var c = DockerTaskConfig.parse(config.driverConfig());
        // Normally present since prestart; pulled here when it was removed in between.
        String imageId = pulled(config, puller.ensure(c.image(), c.auth(), false, c.imagePullTimeout(), message -> event(config, message)));
        long began = System.nanoTime();
        var started = tasks.start(config, c, imageId);
        containerStartTime.observeSince(config.identity(), began);
        return started;
    }

    @Override
    public void recoverTask(TaskHandle handle) {
        tasks.recover(handle);
    }

    @Override
    public ExitResult waitTask(String taskId) {
        return tasks.await(taskId);
    }

    @Override
    public void stopTask(String taskId, Duration timeout, String signal) {
        tasks.stop(taskId, timeout, signal);
    }

    @Override
    public void destroyTask(String taskId, boolean force) {
        tasks.destroy(taskId, force);
        stats.forget(taskId);
    }

    @Override
    public TaskStatus inspectTask(String taskId) {
        return tasks.inspect(taskId);
    }

    /** From the engine's stats endpoint (see {@link DockerStats}). */
    @Override
    public ResourceUsage taskStats(String taskId) {
        return stats.read(taskId, tasks.containerId(taskId));
    }

    @Override
    public void signalTask(String taskId, String signal) {
        tasks.signal(taskId, signal);
    }

    /** A one-shot exec through the engine; stdout then stderr, capped like Nomad's script checks. */
    @Override
    public ExecResult execTask(String taskId, List<String> command, Duration timeout) {
        if (command.isEmpty()) throw DroverException.invalid("exec: command is empty");
        var out = api.exec(tasks.containerId(taskId), command, timeout);
        byte[] all = new byte[out.stdout().length + out.stderr().length];
        System.arraycopy(out.stdout(), 0, all, 0, out.stdout().length);
        System.arraycopy(out.stderr(), 0, all, out.stdout().length, out.stderr().length);
        byte[] kept = all.length <= ExecResult.MAX_OUTPUT ? all : Arrays.copyOfRange(all, all.length - ExecResult.MAX_OUTPUT, all.length);
        return new ExecResult(kept, out.exitCode());
    }

    /** {@code alloc exec}: an interactive command in the task's container, with a TTY or pipes (see DockerExec). */
    @Override
    public int execTaskStreaming(String taskId, List<String> command, boolean tty, ExecStream stream) {
        if (tasks.inspect(taskId).state() != TaskState.RUNNING) {
            throw DroverException.invalid("failed to exec in task " + taskId + ": the task is not running");
        }
        execSessions.inc(tasks.identity(taskId));
        return execs.run(taskId, tasks.containerId(taskId), command, tty, stream);
    }

    /** How many tasks hold a reference to the image (for tests and debugging). */
    int imageReferences(String imageId) {
        return images.references(imageId);
    }

    @Override
    public void shutdown() {
        tasks.detachAll();
        images.close();
    }
}
