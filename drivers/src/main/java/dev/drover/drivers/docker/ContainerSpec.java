package dev.drover.drivers.docker;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.AllocatedPort;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.rpc.Wire;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * Turns a task into the Engine's container-create body: image, command, env, Nomad's labels and
 * built-in binds (/alloc, /local, /secrets), user volumes and mounts, ports, resources and
 * capabilities. Pure: the only input is the task, its parsed config and the plugin config.
 *
 * @param body    the JSON for POST /containers/create
 * @param name    {@code <task>-<alloc id>}
 * @param portMap port label → container port, for DriverNetwork and NOMAD_PORT_*
 */
public record ContainerSpec(ObjectNode body, String name, Map<String, Integer> portMap) {
    public static final String LABEL_ALLOC_ID = "com.hashicorp.nomad.alloc_id";
    public static final String LABEL_TASK_ID = "dev.drover.task_id";

    public static String containerName(TaskConfig task) {
        return task.name().replace('/', '_') + "-" + task.allocId();
    }

    public static ContainerSpec build(TaskConfig task, DockerTaskConfig config, DockerPluginConfig plugin, String imageId) {
        var body = Wire.JSON.createObjectNode();
        body.put("Image", imageId);
        if (!config.entrypoint().isEmpty()) strings(body.putArray("Entrypoint"), config.entrypoint());
        if (!config.command().isEmpty()) {
            var cmd = body.putArray("Cmd");
            cmd.add(config.command());
            config.args().forEach(cmd::add);
        } else if (!config.args().isEmpty()) {
            strings(body.putArray("Cmd"), config.args());
        }
        var env = body.putArray("Env");
        task.env().forEach((k, v) -> env.add(k + "=" + v));
        if (!config.workDir().isEmpty()) body.put("WorkingDir", config.workDir());
        if (!config.hostname().isEmpty()) body.put("Hostname", config.hostname());
        if (!task.user().isEmpty()) body.put("User", task.user());
        var labels = body.putObject("Labels");
        config.labels().forEach(labels::put);
        labels.put(LABEL_ALLOC_ID, task.allocId());
        labels.put("com.hashicorp.nomad.job_id", task.jobId());
        labels.put("com.hashicorp.nomad.job_name", task.jobName());
        labels.put("com.hashicorp.nomad.task_group_name", task.groupName());
        labels.put("com.hashicorp.nomad.task_name", task.name());
        labels.put("com.hashicorp.nomad.namespace", task.namespace());
        labels.put(LABEL_TASK_ID, task.id());

        var host = body.putObject("HostConfig");
        var binds = host.putArray("Binds");
        binds.add(task.sharedAllocDir() + ":/alloc");
        binds.add(task.localDir() + ":/local");
        binds.add(task.secretsDir() + ":/secrets");
        for (int i = 0; i < config.volumes().size(); i++) {
            var v = DockerTaskConfig.volume("config.volumes[" + i + "]", config.volumes().get(i));
            Path source = hostPath(task, plugin, "config.volumes[" + i + "]", v.source());
            binds.add(source + ":" + v.target() + (v.mode().isEmpty() ? "" : ":" + v.mode()));
        }
        mounts(host.putArray("Mounts"), task, config, plugin);

        String mode = config.networkMode().isEmpty() ? "default" : config.networkMode();
        host.put("NetworkMode", mode);
        var portMap = ports(body, host, task, config, mode);

        long memory = task.resources().memoryLimitBytes();
        if (memory > 0) {
            host.put("Memory", memory);
            host.put("MemorySwap", memory); // no swap beyond the limit, as Nomad does
            if (task.resources().memoryMaxMB() > task.resources().memoryMB()) host.put("MemoryReservation", (long) task.resources().memoryMB() << 20);
        }
        if (task.resources().cpuMhz() > 0) host.put("CpuShares", Math.max(2, task.resources().cpuMhz()));

        if (config.privileged()) {
            if (!plugin.allowPrivileged()) {
                throw DroverException.invalid("config.privileged: privileged containers are not allowed on this agent;"
                        + " set plugin \"docker\" { config { allow_privileged = true } }");
            }
            host.put("Privileged", true);
        } else {
            List<String> caps;
            try {
                caps = CapabilitySet.calculate(DockerPluginConfig.DOCKER_DEFAULT_CAPS, plugin.allowCaps(), config.capAdd(), config.capDrop());
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid("config.cap_add: " + e.getMessage());
            }
            host.putArray("CapDrop").add("ALL");
            strings(host.putArray("CapAdd"), caps);
        }
        // The docker_logger reads the engine's log stream, which needs a log driver that keeps logs.
        var log = host.putObject("LogConfig");
        log.put("Type", "json-file");
        log.putObject("Config").put("max-size", "10m").put("max-file", "2");
        return new ContainerSpec(body, containerName(task), portMap);
    }

    /**
     * A host path for a volume or bind mount: relative paths are under the task dir. Without
     * {@code volumes { enabled = true }} a path must stay inside the allocation dir.
     */
    static Path hostPath(TaskConfig task, DockerPluginConfig plugin, String where, String source) {
        Path path = task.taskDir().resolve(source).normalize();
        if (!plugin.volumesEnabled() && !path.startsWith(Path.of(task.allocDir()).normalize())) {
            throw DroverException.invalid(where + ": host path \"" + source + "\" is outside the allocation directory;"
                    + " use a path relative to the task dir, or set plugin \"docker\" { config { volumes { enabled = true } } }");
        }
        return path;
    }

    private static void mounts(ArrayNode out, TaskConfig task, DockerTaskConfig config, DockerPluginConfig plugin) {
        for (int i = 0; i < config.mounts().size(); i++) {
            var m = config.mounts().get(i);
            String where = "config.mount[" + i + "]";
            var node = out.addObject();
            node.put("Target", m.target()).put("ReadOnly", m.readonly());
            switch (m.type()) {
                case BIND -> {
                    node.put("Type", "bind").put("Source", hostPath(task, plugin, where + ".source", m.source()).toString());
                    if (!m.propagation().isEmpty()) node.putObject("BindOptions").put("Propagation", m.propagation());
                }
                case VOLUME -> {
                    if (!m.source().isEmpty() && !plugin.volumesEnabled()) {
                        throw DroverException.invalid(where + ".source: named volumes are not allowed on this agent;"
                                + " set plugin \"docker\" { config { volumes { enabled = true } } }");
                    }
                    node.put("Type", "volume");
                    if (!m.source().isEmpty()) node.put("Source", m.source());
                    if (m.volumeNoCopy()) node.putObject("VolumeOptions").put("NoCopy", true);
                }
                case TMPFS -> {
                    node.put("Type", "tmpfs");
                    if (m.tmpfsSizeBytes() > 0 || m.tmpfsMode() > 0) {
                        var o = node.putObject("TmpfsOptions");
                        if (m.tmpfsSizeBytes() > 0) o.put("SizeBytes", m.tmpfsSizeBytes());
                        if (m.tmpfsMode() > 0) o.put("Mode", m.tmpfsMode());
                    }
                }
            }
        }
    }

    /** Publishes each labelled group port on its host IP; in host/none mode there is nothing to publish. */
    private static Map<String, Integer> ports(ObjectNode body, ObjectNode host, TaskConfig task, DockerTaskConfig config, String mode) {
        var portMap = new LinkedHashMap<String, Integer>();
        if (config.ports().isEmpty()) return portMap;
        var byLabel = new LinkedHashMap<String, AllocatedPort>();
        task.ports().forEach(p -> byLabel.put(p.label(), p));
        boolean publish = !mode.equals("host") && !mode.equals("none");
        var exposed = body.putObject("ExposedPorts");
        var bindings = host.putObject("PortBindings");
        for (int i = 0; i < config.ports().size(); i++) {
            String label = config.ports().get(i);
            var port = byLabel.get(label);
            if (port == null) {
                throw DroverException.invalid("config.ports[" + i + "]: no port labelled \"" + label
                        + "\" in the group's network block; labels: " + String.join(", ", byLabel.keySet()));
            }
            int containerPort = port.to() > 0 ? port.to() : port.value();
            portMap.put(label, containerPort);
            if (!publish) continue;
            for (String proto : List.of("tcp", "udp")) {
                String key = containerPort + "/" + proto;
                exposed.putObject(key);
                var binding = bindings.putArray(key).addObject();
                binding.put("HostIp", port.hostIp() == null ? "" : port.hostIp());
                binding.put("HostPort", Integer.toString(port.value()));
            }
        }
        return portMap;
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
