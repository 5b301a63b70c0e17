package dev.drover.drivers.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.executor.Isolation.Mode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SandboxConfigTest {
    private static final SandboxPluginConfig DEFAULTS = SandboxPluginConfig.read("exec", Map.of());

    private static String pluginError(Map<String, Object> config) {
        var e = assertThrows(DroverException.class, () -> SandboxPluginConfig.read("exec", config));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        return e.getMessage();
    }

    private static SandboxTaskConfig task(SandboxPluginConfig plugin, Map<String, Object> config) {
        return SandboxTaskConfig.read(new ConfigReader("config", config), plugin);
    }

    private static String taskError(SandboxPluginConfig plugin, Map<String, Object> config) {
        var e = assertThrows(DroverException.class, () -> task(plugin, config));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        return e.getMessage();
    }

    @Test
    void pluginDefaults() {
        assertEquals(List.of("audit_write", "chown", "dac_override", "fowner", "fsetid", "kill", "mknod", "net_bind_service",
                "setfcap", "setgid", "setpcap", "setuid", "sys_chroot"), DEFAULTS.allowCaps());
        assertFalse(DEFAULTS.noPivotRoot());
        assertEquals(Mode.PRIVATE, DEFAULTS.defaultPidMode());
        assertEquals(Mode.PRIVATE, DEFAULTS.defaultIpcMode());
        assertEquals("crun", DEFAULTS.runtime());
        assertEquals(IsolationMode.ISOLATED, DEFAULTS.isolation());
        assertEquals(List.of("/bin", "/etc", "/lib", "/lib32", "/lib64", "/run/resolvconf", "/sbin", "/usr"),
                List.copyOf(DEFAULTS.chrootEnv().keySet()));
        DEFAULTS.chrootEnv().forEach((k, v) -> assertEquals(k, v));
    }

    @Test
    void pluginValues() {
        var chroot = new LinkedHashMap<String, Object>();
        chroot.put("/usr", "/usr");
        chroot.put("/opt/jdk", "/opt/java/");
        var p = SandboxPluginConfig.read("exec", Map.of("allow_caps", List.of("chown", "CAP_NET_RAW"), "no_pivot_root", true,
                "default_pid_mode", "host", "default_ipc_mode", "HOST", "runtime", "/opt/bin/crun", "isolation", "universal",
                "chroot_env", chroot));
        assertEquals(List.of("chown", "CAP_NET_RAW"), p.allowCaps());
        assertTrue(p.noPivotRoot());
        assertEquals(Mode.HOST, p.defaultPidMode());
        assertEquals(Mode.HOST, p.defaultIpcMode());
        assertEquals("/opt/bin/crun", p.runtime());
        assertEquals(IsolationMode.UNIVERSAL, p.isolation());
        assertEquals(Map.of("/usr", "/usr", "/opt/jdk", "/opt/java"), p.chrootEnv());
    }

    @Test
    void pluginErrorsNameTheFieldAndWhatIsAllowed() {
        assertTrue(pluginError(Map.of("enabled", true)).contains("plugin \"exec\" config: unknown field \"enabled\"; allowed: allow_caps, chroot_env, default_ipc_mode"));
        assertEquals("plugin \"exec\" config.default_pid_mode: must be \"private\" or \"host\", got \"shared\"",
                pluginError(Map.of("default_pid_mode", "shared")));
        assertTrue(pluginError(Map.of("default_ipc_mode", "none")).startsWith("plugin \"exec\" config.default_ipc_mode: must be"));
        assertEquals("plugin \"exec\" config.runtime: must be \"crun\", \"runc\" or an absolute path to an OCI runtime, got \"youki\"",
                pluginError(Map.of("runtime", "youki")));
        assertEquals("plugin \"exec\" config.isolation: must be \"isolated\" or \"universal\", got \"chroot\"",
                pluginError(Map.of("isolation", "chroot")));
        assertTrue(pluginError(Map.of("allow_caps", List.of("chown", "fly"))).startsWith("plugin \"exec\" config.allow_caps: unknown capability \"fly\""));
        assertTrue(pluginError(Map.of("no_pivot_root", "yes")).startsWith("plugin \"exec\" config.no_pivot_root: expected true or false"));
        assertTrue(pluginError(Map.of("chroot_env", List.of("/usr"))).startsWith("plugin \"exec\" config.chroot_env: expected a map"));
        assertTrue(pluginError(Map.of("chroot_env", Map.of("usr", "/usr"))).contains("host path must be absolute, got \"usr\""));
        assertTrue(pluginError(Map.of("chroot_env", Map.of("/usr", "usr"))).contains("sandbox path must be absolute"));
        assertTrue(pluginError(Map.of("chroot_env", Map.of("/srv", "/"))).contains("sandbox path \"/\" is reserved for the task"));
        assertTrue(pluginError(Map.of("chroot_env", Map.of("/srv", "/local/"))).contains("sandbox path \"/local\" is reserved"));
    }

    @Test
    void taskDefaultsComeFromThePlugin() {
        var t = task(DEFAULTS, Map.of());
        assertEquals(IsolationMode.ISOLATED, t.isolation());
        assertEquals(Mode.PRIVATE, t.pidMode());
        assertEquals(Mode.PRIVATE, t.ipcMode());
        assertEquals(0, t.pidsLimit());
        assertEquals(List.of("CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_MKNOD",
                "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP", "CAP_SETUID", "CAP_SYS_CHROOT"), t.capabilities());

        var hostPlugin = SandboxPluginConfig.read("exec", Map.of("default_pid_mode", "host", "isolation", "universal"));
        var h = task(hostPlugin, Map.of());
        assertEquals(Mode.HOST, h.pidMode());
        assertEquals(Mode.PRIVATE, h.ipcMode());
        assertEquals(IsolationMode.UNIVERSAL, h.isolation());
    }

    @Test
    void taskValuesOverrideThePlugin() {
        var t = task(DEFAULTS, Map.of("pid_mode", "host", "ipc_mode", "host", "isolation", "universal", "pids_limit", 64L));
        assertEquals(Mode.HOST, t.pidMode());
        assertEquals(Mode.HOST, t.ipcMode());
        assertEquals(IsolationMode.UNIVERSAL, t.isolation());
        assertEquals(64, t.pidsLimit());
    }

    @Test
    void capRulesFollowNomad() {
        // (defaults ∩ allow_caps) − cap_drop ∪ cap_add
        var t = task(DEFAULTS, Map.of("cap_drop", List.of("mknod", "CAP_SETFCAP"), "cap_add", List.of("KILL")));
        assertFalse(t.capabilities().contains("CAP_MKNOD"));
        assertFalse(t.capabilities().contains("CAP_SETFCAP"));
        assertEquals(11, t.capabilities().size());

        var narrow = SandboxPluginConfig.read("exec", Map.of("allow_caps", List.of("chown", "net_raw")));
        assertEquals(List.of("CAP_CHOWN"), task(narrow, Map.of()).capabilities());
        assertEquals(List.of("CAP_CHOWN", "CAP_NET_RAW"), task(narrow, Map.of("cap_add", List.of("net_raw"))).capabilities());
        assertEquals(List.of(), task(narrow, Map.of("cap_drop", List.of("all"))).capabilities());

        var all = SandboxPluginConfig.read("exec", Map.of("allow_caps", List.of("all")));
        assertTrue(task(all, Map.of("cap_add", List.of("sys_admin"))).capabilities().contains("CAP_SYS_ADMIN"));
    }

    @Test
    void capAddOutsideAllowCapsFailsWithNomadsMessage() {
        String message = taskError(DEFAULTS, Map.of("cap_add", List.of("net_raw", "sys_admin", "chown")));
        assertTrue(message.startsWith("driver does not allow the following capabilities: net_raw, sys_admin"), message);
        assertTrue(message.contains("config.cap_add"), message);
    }

    @Test
    void taskErrorsNameTheFieldAndWhatIsAllowed() {
        assertEquals("config.pid_mode: must be \"private\" or \"host\", got \"container\"", taskError(DEFAULTS, Map.of("pid_mode", "container")));
        assertEquals("config.ipc_mode: must be \"private\" or \"host\", got \"x\"", taskError(DEFAULTS, Map.of("ipc_mode", "x")));
        assertEquals("config.isolation: must be \"isolated\" or \"universal\", got \"none\"", taskError(DEFAULTS, Map.of("isolation", "none")));
        assertEquals("config.pids_limit: must be 0 (no limit) or a positive number of processes, got -1", taskError(DEFAULTS, Map.of("pids_limit", -1L)));
        assertTrue(taskError(DEFAULTS, Map.of("pids_limit", "many")).startsWith("config.pids_limit: expected a whole number"));
        assertTrue(taskError(DEFAULTS, Map.of("cap_add", List.of("superpowers"))).startsWith("config.cap_add: unknown capability \"superpowers\""));
        assertTrue(taskError(DEFAULTS, Map.of("cap_drop", List.of("superpowers"))).startsWith("config.cap_drop: unknown capability \"superpowers\""));
        assertTrue(taskError(DEFAULTS, Map.of("cap_add", "chown")).startsWith("config.cap_add: expected a list of strings"));
    }
}
