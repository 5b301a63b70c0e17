package dev.drover.drivers.shared;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.TaskConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** TaskConfigs for driver tests. */
public final class Tasks {
    private Tasks() {}

    /** Env as the agent builds it for a driver whose default is the sandbox (chroot paths). */
    public static final Map<String, String> CHROOT_ENV = Map.of("NOMAD_ALLOC_DIR", "/alloc", "NOMAD_TASK_DIR", "/local",
            "NOMAD_SECRETS_DIR", "/secrets", "GREETING", "hi");

    public static TaskConfig task(Path allocDir, String user, Map<String, String> env, Map<String, Object> driverConfig) {
        return new TaskConfig("a1b2c3/web/0000beef", "default", "job", "job", "group", "web", "a1b2c3", "job.group[0]", user,
                env, new Resources(100, 64, 0), driverConfig, allocDir.toString(), "/tmp/out.fifo", "/tmp/err.fifo", List.of());
    }
}
