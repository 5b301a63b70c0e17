package dev.drover.drivers.docker;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A docker task's {@code config {}} block, with Nomad's field names. Checked when the job is
 * submitted; paths are resolved against the task dir only at start ({@link ContainerSpec}).
 */
public record DockerTaskConfig(String image, String command, List<String> args, List<String> entrypoint, String workDir,
                               String hostname, Map<String, String> labels, List<String> ports, String networkMode,
                               List<String> volumes, List<Mount> mounts, boolean forcePull, boolean privileged,
                               List<String> capAdd, List<String> capDrop, Auth auth, Duration imagePullTimeout) {
    public static final Set<String> FIELDS = Set.of("image", "command", "args", "entrypoint", "work_dir", "hostname",
            "labels", "ports", "network_mode", "volumes", "mount", "force_pull", "privileged", "cap_add", "cap_drop",
            "auth", "image_pull_timeout");
    static final Set<String> NETWORK_MODES = Set.of("host", "none", "bridge", "default");
    static final Duration DEFAULT_PULL_TIMEOUT = Duration.ofMinutes(5);

    /** Registry credentials, sent as the engine's X-Registry-Auth header. */
    public record Auth(String username, String password, String email, String serverAddress) {
        static final Set<String> FIELDS = Set.of("username", "password", "email", "server_address");
    }

    /** A {@code mount {}} block. {@code source} is a host path (bind) or a volume name (volume). */
    public record Mount(Type type, String source, String target, boolean readonly, String propagation,
                        long tmpfsSizeBytes, int tmpfsMode, boolean volumeNoCopy) {
        public enum Type { BIND, VOLUME, TMPFS }

        static final Set<String> FIELDS = Set.of("type", "source", "target", "readonly", "bind_options", "tmpfs_options", "volume_options");
    }

    public DockerTaskConfig {
        args = List.copyOf(args);
        entrypoint = List.copyOf(entrypoint);
        labels = Map.copyOf(labels);
        ports = List.copyOf(ports);
        volumes = List.copyOf(volumes);
        mounts = List.copyOf(mounts);
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
    }

    /** Parses and checks; every error names the field (config.<field>) and what is allowed. */
    public static DockerTaskConfig parse(Map<String, Object> values) {
        var c = new ConfigReader("config", values).allowOnly(FIELDS);
        String image = c.requiredString("image");
        String networkMode = c.string("network_mode", "");
        if (!networkMode.isEmpty() && !NETWORK_MODES.contains(networkMode)) {
            throw DroverException.invalid("config.network_mode: \"" + networkMode + "\" is not supported; allowed: host, none, bridge, default");
        }
        var volumes = c.stringList("volumes");
        for (int i = 0; i < volumes.size(); i++) volume("config.volumes[" + i + "]", volumes.get(i));
        var capAdd = c.stringList("cap_add");
        var capDrop = c.stringList("cap_drop");
        caps("config.cap_add", capAdd, false);
        caps("config.cap_drop", capDrop, true);
        var ports = c.stringList("ports");
        for (int i = 0; i < ports.size(); i++) {
            if (!ports.get(i).matches("[A-Za-z0-9_]+")) {
                throw DroverException.invalid("config.ports[" + i + "]: \"" + ports.get(i) + "\" is not a port label (letters, digits, _)");
            }
        }
        Duration pullTimeout = c.duration("image_pull_timeout", DEFAULT_PULL_TIMEOUT);
        if (pullTimeout.isNegative() || pullTimeout.isZero()) throw DroverException.invalid("config.image_pull_timeout: must be positive");
        return new DockerTaskConfig(image, c.string("command", ""), c.stringList("args"), c.stringList("entrypoint"),
                c.string("work_dir", ""), c.string("hostname", ""), stringMap("config.labels", values.get("labels")), ports,
                networkMode, volumes, mounts(values.get("mount")), c.bool("force_pull", false), c.bool("privileged", false),
                capAdd, capDrop, auth(values.get("auth")), pullTimeout);
    }

    /** A volume is {@code src:dest} or {@code src:dest:mode}, split on ':' only (Nomad's rule). */
    public record Volume(String source, String target, String mode) {}

    static Volume volume(String where, String spec) {
        String[] parts = spec.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw DroverException.invalid(where + ": \"" + spec + "\" must be \"src:dest\" or \"src:dest:mode\" (e.g. \"data:/data:ro\")");
        }
        if (!parts[1].startsWith("/")) throw DroverException.invalid(where + ": destination \"" + parts[1] + "\" must be an absolute path");
        return new Volume(parts[0], parts[1], parts.length == 3 ? parts[2] : "");
    }

    private static void caps(String where, List<String> names, boolean allowAll) {
        for (String name : names) {
            if (allowAll && name.equalsIgnoreCase(CapabilitySet.ALL)) continue;
            try {
                CapabilitySet.normalize(name);
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid(where + ": " + e.getMessage());
            }
        }
    }

    /** A block written once ({@code auth { … }}) or an attribute map ({@code labels = { … }}). */
    static Map<String, Object> single(String where, Object value) {
        if (value == null) return null;
        if (value instanceof Map<?, ?> m) return cast(m);
        if (value instanceof List<?> list && list.size() == 1 && list.getFirst() instanceof Map<?, ?> m) return cast(m);
        throw DroverException.invalid(where + ": expected one block, e.g. " + where.substring(where.lastIndexOf('.') + 1) + " { … }");
    }

    static List<Map<String, Object>> blocks(String where, Object value) {
        if (value == null) return List.of();
        if (value instanceof Map<?, ?> m) return List.of(cast(m));
        if (!(value instanceof List<?> list)) throw DroverException.invalid(where + ": expected blocks");
        var out = new ArrayList<Map<String, Object>>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> m)) throw DroverException.invalid(where + "[" + i + "]: expected a block");
            out.add(cast(m));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }

    static Map<String, String> stringMap(String where, Object value) {
        var map = single(where, value);
        if (map == null) return Map.of();
        var out = new LinkedHashMap<String, String>();
        map.forEach((k, v) -> {
            if (v instanceof Map<?, ?> || v instanceof List<?>) throw DroverException.invalid(where + "." + k + ": expected a string");
            out.put(k, String.valueOf(v));
        });
        return out;
    }

    private static Auth auth(Object value) {
        var map = single("config.auth", value);
        if (map == null) return null;
        var c = new ConfigReader("config.auth", map).allowOnly(Auth.FIELDS);
        return new Auth(c.string("username", ""), c.string("password", ""), c.string("email", ""), c.string("server_address", ""));
    }

    private static List<Mount> mounts(Object value) {
        var blocks = blocks("config.mount", value);
        var out = new ArrayList<Mount>();
        for (int i = 0; i < blocks.size(); i++) {
            String where = "config.mount[" + i + "]";
            var c = new ConfigReader(where, blocks.get(i)).allowOnly(Mount.FIELDS);
            String typeName = c.string("type", "volume");
            Mount.Type type = switch (typeName) {
                case "bind" -> Mount.Type.BIND;
                case "volume" -> Mount.Type.VOLUME;
                case "tmpfs" -> Mount.Type.TMPFS;
                default -> throw DroverException.invalid(where + ".type: \"" + typeName + "\" is not allowed; use bind, volume or tmpfs");
            };
            String target = c.requiredString("target");
            if (!target.startsWith("/")) throw DroverException.invalid(where + ".target: \"" + target + "\" must be an absolute path");
            String source = c.string("source", "");
            if (type == Mount.Type.BIND && source.isEmpty()) throw DroverException.invalid(where + ".source is required for a bind mount");
            if (type == Mount.Type.TMPFS && !source.isEmpty()) throw DroverException.invalid(where + ".source: a tmpfs mount has no source");
            var bind = single(where + ".bind_options", blocks.get(i).get("bind_options"));
            String propagation = bind == null ? "" : new ConfigReader(where + ".bind_options", bind).allowOnly(Set.of("propagation")).string("propagation", "");
            if (!propagation.isEmpty() && !Set.of("rprivate", "private", "rshared", "shared", "rslave", "slave").contains(propagation)) {
                throw DroverException.invalid(where + ".bind_options.propagation: \"" + propagation
                        + "\" is not allowed; use rprivate, private, rshared, shared, rslave or slave");
            }
            var tmpfs = single(where + ".tmpfs_options", blocks.get(i).get("tmpfs_options"));
            var tc = new ConfigReader(where + ".tmpfs_options", tmpfs).allowOnly(Set.of("size", "mode"));
            var volume = single(where + ".volume_options", blocks.get(i).get("volume_options"));
            var vc = new ConfigReader(where + ".volume_options", volume).allowOnly(Set.of("no_copy"));
            out.add(new Mount(type, source, target, c.bool("readonly", false), propagation,
                    tc.integer("size", 0), (int) tc.integer("mode", 0), vc.bool("no_copy", false)));
        }
        return out;
    }
}
