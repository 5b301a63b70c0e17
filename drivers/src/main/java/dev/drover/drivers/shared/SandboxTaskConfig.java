package dev.drover.drivers.shared;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.executor.Isolation.Mode;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The task config fields the exec and java drivers share, checked against the plugin config.
 *
 * @param isolation    which executor runs the task
 * @param capabilities the task's capabilities in OCI form, Nomad's
 *                     {@code (defaults ∩ allow_caps) − cap_drop ∪ cap_add}
 * @param pidsLimit    most processes at once, 0 for no limit
 */
public record SandboxTaskConfig(IsolationMode isolation, Mode pidMode, Mode ipcMode, List<String> capabilities, long pidsLimit) {
    public static final Set<String> FIELDS = Set.of("pid_mode", "ipc_mode", "cap_add", "cap_drop", "isolation", "pids_limit");

    public SandboxTaskConfig {
        capabilities = List.copyOf(capabilities);
    }

    /** Reads the shared fields from a task's {@code config {}} (the reader's allowOnly is the caller's). */
    public static SandboxTaskConfig read(ConfigReader c, SandboxPluginConfig plugin) {
        String pid = c.string("pid_mode", "");
        String ipc = c.string("ipc_mode", "");
        String iso = c.string("isolation", "");
        var mode = iso.isEmpty() ? plugin.isolation() : SandboxPluginConfig.isolation("config", "isolation", iso);
        long pids = c.integer("pids_limit", 0);
        if (pids < 0) throw DroverException.invalid("config.pids_limit: must be 0 (no limit) or a positive number of processes, got " + pids);
        return new SandboxTaskConfig(mode,
                pid.isEmpty() ? plugin.defaultPidMode() : SandboxPluginConfig.mode("config", "pid_mode", pid),
                ipc.isEmpty() ? plugin.defaultIpcMode() : SandboxPluginConfig.mode("config", "ipc_mode", ipc),
                capabilities(c.stringList("cap_add"), c.stringList("cap_drop"), plugin.allowCaps()), pids);
    }

    private static List<String> capabilities(List<String> capAdd, List<String> capDrop, List<String> allowCaps) {
        for (String cap : capDrop) {
            if (cap.equalsIgnoreCase(CapabilitySet.ALL)) continue;
            try {
                CapabilitySet.normalize(cap);
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid("config.cap_drop: " + e.getMessage());
            }
        }
        try {
            return CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, allowCaps, capAdd, capDrop);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            if (message.startsWith("driver does not allow")) {
                // Nomad's exact words first; then where to change it.
                throw DroverException.invalid(message + " (config.cap_add; the agent's allow_caps permits: "
                        + String.join(", ", new TreeSet<>(allowCaps)) + ")");
            }
            throw DroverException.invalid("config.cap_add: " + message);
        }
    }
}
