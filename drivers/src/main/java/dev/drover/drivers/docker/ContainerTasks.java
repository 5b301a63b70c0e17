package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.docker.api.DockerApiException;
import dev.drover.drivers.docker.api.DockerHttp;
import dev.drover.drivers.docker.logger.DockerLoggerProtocol;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.DriverNetwork;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.StartedTask;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.driver.TaskStatus;
import dev.drover.sdk.plugin.PluginLease;
import dev.drover.sdk.plugin.PluginPool;
import dev.drover.sdk.plugin.PluginReattach;
import dev.drover.sdk.proc.Signals;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;
import tools.jackson.databind.JsonNode;

/**
 * The docker driver's running tasks: one container each (the engine supervises the process; there
 * is no executor) and a docker_logger session copying its logs into the task's fifos. The handle
 * records the container id, so a restarted agent finds the container again — running, or exited
 * with its real exit code.
 */
final class ContainerTasks {
    private static final Logger LOG = Logger.getLogger(ContainerTasks.class.getName());
    static final int HANDLE_VERSION = 1;
    /** How long destroy lets the logger finish the stream of an exited container. */
    private static final long LOGGER_DRAIN_MILLIS = 5_000;

    /** Persisted in the task handle. {@code logger} is null when log collection is off. */
    record DriverState(String containerId, String containerName, String imageId, PluginReattach logger,
                       String checkpoint, long startedAtMillis, Map<String, Integer> portMap, String ip) {}

    private static final class Task {
        final TaskConfig config;
        final DriverState state;
        final CompletableFuture<ExitResult> exit = new CompletableFuture<>();
        volatile PluginLease logger;
        volatile DockerHttp.Response waiting;
        volatile Instant completedAt;

        Task(TaskConfig config, DriverState state, PluginLease logger) {
            this.config = config;
            this.state = state;
            this.logger = logger;
        }
    }

    private final DockerApi api;
    private final DockerPluginConfig plugin;
    private final PluginPool plugins;
    private final ImageRefs images;
    private final Map<String, Task> tasks = new ConcurrentHashMap<>();

    ContainerTasks(DockerApi api, DockerPluginConfig plugin, PluginPool plugins, ImageRefs images) {
        this.api = api;
        this.plugin = plugin;
        this.plugins = plugins;
        this.images = images;
    }

    StartedTask start(TaskConfig config, DockerTaskConfig taskConfig, String imageId) {
        if (tasks.containsKey(config.id())) {
            throw new DroverException(DroverException.Kind.ALREADY_EXISTS, "task " + config.id() + " is already started", false);
        }
        var spec = ContainerSpec.build(config, taskConfig, plugin, imageId);
        String id = create(spec);
        images.acquire(imageId, config.id());
        PluginLease logger = null;
        String checkpoint = config.taskDir().resolve(".docker_logger-" + id.substring(0, 12) + ".pos").toString();
        try {
            api.startContainer(id);
            logger = startLogger(config, id, checkpoint, null);
            var inspect = api.inspectContainer(id);
            var state = new DriverState(id, spec.name(), imageId, logger == null ? null : logger.reattach(), checkpoint,
                    System.currentTimeMillis(), spec.portMap(), ip(inspect));
            track(config, state, logger);
            return new StartedTask(handle(config, state), new DriverNetwork(spec.portMap(), state.ip(), false));
        } catch (RuntimeException e) {
            if (logger != null) logger.release();
            removeQuietly(id);
            images.release(imageId, config.id());
            if (e instanceof DockerApiException de) {
                throw new DroverException(de.kind(), "failed to start container " + spec.name() + ": " + de.getMessage(), de.recoverable(), de);
            }
            throw e;
        }
    }

    /** Creates the container; a leftover of the same name (an attempt the agent lost track of) is replaced. */
    private String create(ContainerSpec spec) {
        try {
            return api.createContainer(spec.name(), spec.body());
        } catch (DockerApiException e) {
            if (!e.conflict()) throw new DroverException(e.kind(), "failed to create container " + spec.name() + ": " + e.getMessage(), e.recoverable(), e);
            LOG.info("replacing leftover container " + spec.name() + ": " + e.getMessage());
            removeQuietly(spec.name());
            return api.createContainer(spec.name(), spec.body());
        }
    }

    private PluginLease startLogger(TaskConfig config, String containerId, String checkpoint, PluginReattach recorded) {
        if (isDevNull(config.stdoutPath()) && isDevNull(config.stderrPath())) return null;
        PluginLease lease = null;
        if (recorded != null) {
            try {
                lease = plugins.reattach(recorded);
            } catch (DroverException gone) {
                LOG.info("docker_logger of " + config.id() + " is gone (" + gone.getMessage() + "); starting a new one");
            }
        }
        if (lease == null) lease = plugins.acquire(DockerLoggerProtocol.PLUGIN_NAME);
        var request = new DockerLoggerProtocol.Start(api.endpoint(), containerId, config.stdoutPath(), config.stderrPath(), checkpoint);
        try {
            DockerLoggerProtocol.client(lease.client()).start(config.id(), request);
        } catch (RuntimeException e) {
            lease.release();
            throw e;
        }
        plugins.remember(DockerLoggerProtocol.PLUGIN_NAME, config.id(), host -> DockerLoggerProtocol.client(host).start(config.id(), request));
        return lease;
    }

    private static boolean isDevNull(String path) {
        return path == null || path.isBlank() || path.equals("/dev/null");
    }

    /** Reattaches to the container and its logger; fails NOT_FOUND if the container is gone. */
    void recover(TaskHandle handle) {
        var config = handle.config();
        if (tasks.containsKey(config.id())) return;
        var state = Wire.JSON.convertValue(handle.driverState(), DriverState.class);
        try {
            api.inspectContainer(state.containerId());
        } catch (DockerApiException e) {
            if (e.notFound()) throw DroverException.notFound("container " + state.containerName() + " (" + state.containerId() + ") no longer exists");
            throw e;
        }
        var logger = startLogger(config, state.containerId(), state.checkpoint(), state.logger());
        images.acquire(state.imageId(), config.id());
        track(config, state, logger);
    }

    private void track(TaskConfig config, DriverState state, PluginLease logger) {
        var task = new Task(config, state, logger);
        tasks.put(config.id(), task);
        Thread.ofVirtual().name("docker-wait-" + config.name()).start(() -> task.exit.complete(awaitExit(task)));
    }

    /** Waits on the engine; an unreachable engine (restarting) is waited out, a removed container is an error. */
    private ExitResult awaitExit(Task task) {
        String id = task.state.containerId();
        while (tasks.get(task.config.id()) == task) {
            try (var response = api.stream("POST", "/containers/" + id + "/wait", Map.of(), null, null)) {
                task.waiting = response;
                int code = Wire.JSON.readTree(response.readAll()).path("StatusCode").asInt(-1);
                var state = api.inspectContainer(id).path("State");
                task.completedAt = Instant.now();
                return new ExitResult(state.path("ExitCode").asInt(code), 0, state.path("OOMKilled").asBoolean(false),
                        state.path("Error").asString(""));
            } catch (DockerApiException e) {
                if (e.notFound()) return ExitResult.failed("container " + task.state.containerName() + " was removed while it ran");
                sleep(1000);
            } catch (IOException | RuntimeException e) {
                sleep(1000); // engine unreachable or our connection closed (detach): look again
            }
        }
        return ExitResult.failed("no longer watched");
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private Task task(String id) {
        var t = tasks.get(id);
        if (t == null) throw DroverException.notFound("task " + id + " not found");
        return t;
    }

    ExitResult await(String id) {
        return task(id).exit.join();
    }

    /**
     * No kill signal: the engine's stop (the image's STOPSIGNAL, SIGTERM by default, then SIGKILL
     * after the timeout). A kill signal: that signal, the timeout, then an immediate stop (Nomad).
     */
    void stop(String id, Duration timeout, String signal) {
        var t = task(id);
        if (t.exit.isDone()) return;
        String cid = t.state.containerId();
        long seconds = (timeout.toMillis() + 999) / 1000;
        try {
            if (signal == null || signal.isBlank()) {
                api.stopContainer(cid, seconds);
                return;
            }
            try {
                Signals.require(signal);
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid("kill_signal: " + e.getMessage());
            }
            api.killContainer(cid, signal);
            try {
                t.exit.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                api.stopContainer(cid, 0);
            } catch (Exception e) {
                // it exited one way or another
            }
        } catch (DockerApiException e) {
            if (!e.notFound() && !e.conflict()) throw e; // gone or no longer running: stopped
        }
    }

    void destroy(String id, boolean force) {
        var t = tasks.get(id);
        if (t == null) return;
        String cid = t.state.containerId();
        if (!t.exit.isDone()) {
            if (!force) throw DroverException.invalid("task " + id + " is still running; stop it first");
            try {
                api.killContainer(cid, "SIGKILL");
                t.exit.get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                // removed below regardless
            }
        }
        var logger = t.logger;
        if (logger != null) {
            try {
                DockerLoggerProtocol.client(logger.client()).stop(id, new DockerLoggerProtocol.Stop(LOGGER_DRAIN_MILLIS));
            } catch (DroverException e) {
                LOG.info("docker_logger of " + id + " did not stop cleanly: " + e.getMessage());
            }
            logger.release();
            plugins.forget(DockerLoggerProtocol.PLUGIN_NAME, id);
        }
        tasks.remove(id);
        removeQuietly(cid);
        images.release(t.state.imageId(), id);
        try {
            if (t.state.checkpoint() != null) Files.deleteIfExists(Path.of(t.state.checkpoint()));
        } catch (IOException ignored) {
            // the task dir goes with the allocation
        }
    }

    private void removeQuietly(String container) {
        try {
            api.removeContainer(container, true);
        } catch (DockerApiException e) {
            if (!e.notFound()) LOG.warning("could not remove container " + container + ": " + e.getMessage());
        } catch (DroverException e) {
            LOG.warning("could not remove container " + container + ": " + e.getMessage());
        }
    }

    TaskStatus inspect(String id) {
        var t = task(id);
        var exit = t.exit.getNow(null);
        return new TaskStatus(id, t.config.name(), exit == null ? TaskState.RUNNING : TaskState.EXITED,
                Instant.ofEpochMilli(t.state.startedAtMillis()), exit == null ? null : t.completedAt, exit,
                Map.of("container_id", t.state.containerId(), "container_name", t.state.containerName(), "image_id", t.state.imageId()));
    }

    String containerId(String id) {
        return task(id).state.containerId();
    }

    /** Whose task this is: the labels of the driver's metrics about it. */
    dev.drover.sdk.driver.TaskIdentity identity(String id) {
        return task(id).config.identity();
    }

    void signal(String id, String signal) {
        try {
            Signals.require(signal);
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(e.getMessage());
        }
        api.killContainer(task(id).state.containerId(), signal);
    }

    /** Agent shutdown: drop connections, leave containers and loggers running. */
    void detachAll() {
        var all = List.copyOf(tasks.values());
        tasks.clear();
        for (var t : all) {
            var waiting = t.waiting;
            if (waiting != null) waiting.close();
            if (t.logger != null) t.logger.detach();
        }
    }

    static TaskHandle handle(TaskConfig config, DriverState state) {
        @SuppressWarnings("unchecked")
        Map<String, Object> blob = Wire.JSON.convertValue(state, Map.class);
        return new TaskHandle(HANDLE_VERSION, config, TaskState.RUNNING, blob);
    }

    /** The container's address on its network; empty in host or none mode. */
    static String ip(JsonNode inspect) {
        var settings = inspect.path("NetworkSettings");
        String ip = settings.path("IPAddress").asString("");
        if (!ip.isEmpty()) return ip;
        for (var network : settings.path("Networks")) {
            String addr = network.path("IPAddress").asString("");
            if (!addr.isEmpty()) return addr;
        }
        return "";
    }
}
