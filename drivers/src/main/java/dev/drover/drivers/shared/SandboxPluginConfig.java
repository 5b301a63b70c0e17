package dev.drover.drivers.shared;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.executor.Isolation.Mode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The plugin config the exec and java drivers share ({@code plugin "exec" { config { … } }}).
 *
 * @param allowCaps      capabilities a task may ask for with cap_add; also filters the default set
 * @param noPivotRoot    enter the sandbox root with chroot instead of pivot_root
 * @param defaultPidMode pid_mode of tasks that do not set one
 * @param defaultIpcMode ipc_mode of tasks that do not set one
 * @param runtime        "crun", "runc" or an absolute path to an OCI runtime
 * @param isolation      the executor tasks get unless they set {@code isolation} themselves
 * @param chrootEnv      host path → sandbox path, bound read-only into every sandbox (the agent's
 *                       {@code client { chroot_env }} arrives here)
 */
public record SandboxPluginConfig(List<String> allowCaps, boolean noPivotRoot, Mode defaultPidMode, Mode defaultIpcMode,
                                  String runtime, IsolationMode isolation, Map<String, String> chrootEnv) {
    public static final Set<String> FIELDS = Set.of("allow_caps", "no_pivot_root", "default_pid_mode", "default_ipc_mode",
            "runtime", "isolation", "chroot_env");

    /** crun starts a sandbox in a few ms, runc in about 30 ms; both are tried (see OciRuntimeProbe). */
    public static final String DEFAULT_RUNTIME = "crun";

    /** Nomad's default chroot_env, minus entries it only needs because it copies files. */
    public static final Map<String, String> DEFAULT_CHROOT_ENV = defaultChrootEnv();

    public SandboxPluginConfig {
        allowCaps = List.copyOf(allowCaps);
        chrootEnv = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(chrootEnv));
    }

    /** Reads and checks a plugin config block; unknown fields and bad values are INVALID_CONFIG. */
    public static SandboxPluginConfig read(String driverName, Map<String, Object> values) {
        String where = "plugin \"" + driverName + "\" config";
        var c = new ConfigReader(where, values).allowOnly(FIELDS);
        List<String> allow = values.containsKey("allow_caps") ? c.stringList("allow_caps")
                : CapabilitySet.NOMAD_DEFAULTS.stream().map(SandboxPluginConfig::lower).toList();
        for (String cap : allow) {
            if (cap.equalsIgnoreCase(CapabilitySet.ALL)) continue;
            try {
                CapabilitySet.normalize(cap);
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid(where + ".allow_caps: " + e.getMessage());
            }
        }
        return new SandboxPluginConfig(allow, c.bool("no_pivot_root", false),
                mode(where, "default_pid_mode", c.string("default_pid_mode", "private")),
                mode(where, "default_ipc_mode", c.string("default_ipc_mode", "private")),
                runtime(where, c.string("runtime", DEFAULT_RUNTIME)),
                isolation(where, "isolation", c.string("isolation", "isolated")),
                chrootEnv(where, values.get("chroot_env")));
    }

    static Mode mode(String where, String field, String value) {
        try {
            return Mode.parse(value);
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(where + "." + field + ": " + e.getMessage());
        }
    }

    static IsolationMode isolation(String where, String field, String value) {
        try {
            return IsolationMode.parse(value);
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(where + "." + field + ": " + e.getMessage());
        }
    }

    private static String runtime(String where, String value) {
        if (value.equals("crun") || value.equals("runc") || value.startsWith("/")) return value;
        throw DroverException.invalid(where + ".runtime: must be \"crun\", \"runc\" or an absolute path to an OCI runtime, got \"" + value + "\"");
    }

    /** A map of absolute host path → absolute sandbox path; null means Nomad's default set. */
    private static Map<String, String> chrootEnv(String where, Object value) {
        if (value == null) return DEFAULT_CHROOT_ENV;
        if (!(value instanceof Map<?, ?> map)) {
            throw DroverException.invalid(where + ".chroot_env: expected a map of host path to sandbox path, e.g. { \"/usr\" = \"/usr\" }, got " + value);
        }
        var out = new LinkedHashMap<String, String>();
        map.forEach((k, v) -> {
            if (!(k instanceof String source) || !(v instanceof String target)) {
                throw DroverException.invalid(where + ".chroot_env: entries must be strings, got " + k + " = " + v);
            }
            if (!source.startsWith("/")) {
                throw DroverException.invalid(where + ".chroot_env: host path must be absolute, got \"" + source + "\"");
            }
            String t = Path.of(target).normalize().toString();
            if (!target.startsWith("/") || target.contains("..")) {
                throw DroverException.invalid(where + ".chroot_env[\"" + source + "\"]: sandbox path must be absolute without \"..\", got \"" + target + "\"");
            }
            // The task dir is the sandbox root; these belong to the task and must not be covered.
            if (t.equals("/") || Set.of("/alloc", "/local", "/secrets", "/tmp").contains(t)) {
                throw DroverException.invalid(where + ".chroot_env[\"" + source + "\"]: sandbox path \"" + t
                        + "\" is reserved for the task (/, /alloc, /local, /secrets, /tmp)");
            }
            out.put(source, t);
        });
        return out;
    }

    private static Map<String, String> defaultChrootEnv() {
        var m = new LinkedHashMap<String, String>();
        for (String p : List.of("/bin", "/etc", "/lib", "/lib32", "/lib64", "/run/resolvconf", "/sbin", "/usr")) m.put(p, p);
        return java.util.Collections.unmodifiableMap(m);
    }

    private static String lower(String cap) {
        return cap.substring("CAP_".length()).toLowerCase(java.util.Locale.ROOT);
    }
}
