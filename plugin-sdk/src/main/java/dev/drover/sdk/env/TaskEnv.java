package dev.drover.sdk.env;

import dev.drover.sdk.driver.AllocatedPort;
import dev.drover.sdk.driver.FsIsolation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A task's environment and the interpolation that goes with it: the one place NOMAD_* variables are
 * built, for every driver including third-party ones. Build order (later wins): Nomad variables,
 * task meta, agent host env (not for image drivers; denylist applied, existing keys kept), the
 * task's {@code env {}} block. Paths follow the driver's filesystem isolation.
 */
public final class TaskEnv {
    /** Nomad's default host-env denylist (client option env.denylist). */
    public static final Set<String> DEFAULT_DENYLIST = Set.of(
            "CONSUL_TOKEN", "CONSUL_HTTP_TOKEN", "CONSUL_HTTP_TOKEN_FILE", "NOMAD_TOKEN", "VAULT_TOKEN",
            "CONSUL_LICENSE", "NOMAD_LICENSE", "VAULT_LICENSE", "CONSUL_LICENSE_PATH", "NOMAD_LICENSE_PATH",
            "VAULT_LICENSE_PATH", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
            "AWS_METADATA_URL", "GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN");
    private static final Pattern UNCLEAN = Pattern.compile("[^A-Za-z0-9_.]");

    private final Map<String, String> env;
    private final Interpolator interpolator;

    private TaskEnv(Map<String, String> env, NodeInfo node) {
        this.env = Collections.unmodifiableMap(new TreeMap<>(env));
        this.interpolator = interpolatorOver(this.env, node);
    }

    private static Interpolator interpolatorOver(Map<String, String> env, NodeInfo node) {
        return new Interpolator(name -> {
            String v = env.get(name);
            return v != null || node == null ? v : node.lookup(name);
        });
    }

    /** The final environment, sorted by name. */
    public Map<String, String> env() {
        return env;
    }

    public String interpolate(String s) {
        return interpolator.apply(s);
    }

    public List<String> interpolate(List<String> list) {
        return interpolator.apply(list);
    }

    @SuppressWarnings("unchecked")
    public Map<String, Object> interpolateConfig(Map<String, Object> config) {
        return (Map<String, Object>) interpolator.applyDeep(config);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Collects the facts; {@link #build()} applies them in Nomad's precedence order. */
    public static final class Builder {
        private final Map<String, String> nomad = new LinkedHashMap<>();
        private final Map<String, String> meta = new LinkedHashMap<>();
        private Map<String, String> hostEnv = Map.of();
        private Set<String> denylist = DEFAULT_DENYLIST;
        private Map<String, String> taskEnv = Map.of();
        private FsIsolation isolation = FsIsolation.NONE;
        private NodeInfo node;

        private Builder put(String key, String value) {
            if (value != null && !value.isEmpty()) nomad.put(key, value);
            return this;
        }

        public Builder alloc(String allocId, String allocName, int allocIndex) {
            put("NOMAD_ALLOC_ID", allocId);
            put("NOMAD_SHORT_ALLOC_ID", allocId == null ? null : allocId.substring(0, Math.min(8, allocId.length())));
            put("NOMAD_ALLOC_NAME", allocName);
            if (allocIndex >= 0) put("NOMAD_ALLOC_INDEX", Integer.toString(allocIndex));
            return this;
        }

        public Builder job(String jobId, String jobName, String parentJobId) {
            put("NOMAD_JOB_ID", jobId);
            put("NOMAD_JOB_NAME", jobName);
            return put("NOMAD_JOB_PARENT_ID", parentJobId);
        }

        public Builder group(String name) {
            return put("NOMAD_GROUP_NAME", name);
        }

        public Builder task(String name) {
            return put("NOMAD_TASK_NAME", name);
        }

        public Builder placement(String namespace, String region, String datacenter) {
            put("NOMAD_NAMESPACE", namespace);
            put("NOMAD_REGION", region);
            return put("NOMAD_DC", datacenter);
        }

        public Builder resources(int cpuMhz, int memoryMB, int memoryMaxMB) {
            if (cpuMhz > 0) put("NOMAD_CPU_LIMIT", Integer.toString(cpuMhz));
            if (memoryMB > 0) put("NOMAD_MEMORY_LIMIT", Integer.toString(memoryMB));
            if (memoryMaxMB > 0) put("NOMAD_MEMORY_MAX_LIMIT", Integer.toString(memoryMaxMB));
            return this;
        }

        /**
         * The directory variables. Host paths for {@link FsIsolation#NONE}; the paths inside the
         * sandbox ({@code /alloc}, {@code /local}, {@code /secrets}) for chroot and image drivers.
         */
        public Builder dirs(FsIsolation isolation, Path allocDir, String taskName) {
            this.isolation = isolation;
            if (isolation == FsIsolation.NONE) {
                put("NOMAD_ALLOC_DIR", allocDir.resolve("alloc").toString());
                put("NOMAD_TASK_DIR", allocDir.resolve(taskName).resolve("local").toString());
                put("NOMAD_SECRETS_DIR", allocDir.resolve(taskName).resolve("secrets").toString());
            } else {
                put("NOMAD_ALLOC_DIR", "/alloc");
                put("NOMAD_TASK_DIR", "/local");
                put("NOMAD_SECRETS_DIR", "/secrets");
            }
            return this;
        }

        /**
         * Port variables for the allocation's ports. {@code driverPortMap} (from DriverNetwork) wins for
         * NOMAD_PORT_ when the driver mapped the label.
         */
        public Builder ports(List<AllocatedPort> ports, Map<String, Integer> driverPortMap) {
            for (var p : ports) {
                String l = clean(p.label());
                String addr = hostPort(p.hostIp(), p.value());
                put("NOMAD_IP_" + l, p.hostIp());
                put("NOMAD_HOST_IP_" + l, p.hostIp());
                put("NOMAD_HOST_PORT_" + l, Integer.toString(p.value()));
                put("NOMAD_ADDR_" + l, addr);
                put("NOMAD_HOST_ADDR_" + l, addr);
                int inside = p.to() > 0 ? p.to() : p.value();
                Integer mapped = driverPortMap == null ? null : driverPortMap.get(p.label());
                put("NOMAD_PORT_" + l, Integer.toString(mapped != null ? mapped : inside));
                put("NOMAD_ALLOC_PORT_" + l, Integer.toString(inside));
            }
            return this;
        }

        private static String hostPort(String ip, int port) {
            return ip.contains(":") ? "[" + ip + "]:" + port : ip + ":" + port;
        }

        /** Job, group and task meta merged (later wins); emitted both upper-cased and as written. */
        public Builder meta(Map<String, String> merged) {
            meta.putAll(merged);
            return this;
        }

        public Builder hostEnv(Map<String, String> hostEnv, Set<String> denylist) {
            this.hostEnv = hostEnv;
            this.denylist = denylist;
            return this;
        }

        public Builder taskEnv(Map<String, String> taskEnv) {
            this.taskEnv = taskEnv;
            return this;
        }

        public Builder node(NodeInfo node) {
            this.node = node;
            return this;
        }

        public TaskEnv build() {
            var env = new LinkedHashMap<>(nomad);
            var sofar = interpolatorOver(env, node);
            meta.forEach((k, v) -> {
                String value = sofar.apply(v);
                env.put("NOMAD_META_" + clean(k.toUpperCase(Locale.ROOT)), value);
                env.put("NOMAD_META_" + clean(k), value);
            });
            if (isolation != FsIsolation.IMAGE) {
                hostEnv.forEach((k, v) -> {
                    if (!denylist.contains(k)) env.putIfAbsent(k, v);
                });
            }
            // The task's own env is interpolated against everything before it, and wins.
            var ordered = new ArrayList<>(taskEnv.entrySet());
            var base = interpolatorOver(new LinkedHashMap<>(env), node);
            for (var e : ordered) env.put(e.getKey(), base.apply(e.getValue()));
            return new TaskEnv(env, node);
        }
    }

    /** Nomad's CleanEnvVar: characters outside letters, digits, '_' and '.' become '_'. */
    static String clean(String key) {
        String k = UNCLEAN.matcher(key).replaceAll("_");
        return !k.isEmpty() && Character.isDigit(k.charAt(0)) ? "_" + k.substring(1) : k;
    }
}
