package dev.drover.sdk.executor;

import java.util.List;
import java.util.Locale;

/**
 * How the isolated executor sandboxes a task (exec and java drivers). An {@link ExecCommand}
 * without one runs under the universal executor. The task dir is the sandbox's root; host
 * directories come in as read-only bind mounts, never copies.
 *
 * @param runtime      the OCI runtime: "crun", "runc" or an absolute path to one of them
 * @param mounts       bind mounts into the sandbox, e.g. the chroot_env dirs and /alloc
 * @param pidMode      a private PID namespace (the task is pid 1) or the host's
 * @param ipcMode      a private IPC namespace or the host's
 * @param capabilities the task's capabilities, upper case with the CAP_ prefix ("CAP_CHOWN");
 *                     ignored for root, which gets the legacy full set
 * @param noPivotRoot  enter the root with chroot instead of pivot_root (e.g. on a ramdisk)
 * @param pidsLimit    the most processes the task may have at once (pids.max), 0 for no limit
 */
public record Isolation(String runtime, List<BindMount> mounts, Mode pidMode, Mode ipcMode,
                        List<String> capabilities, boolean noPivotRoot, long pidsLimit) {
    public Isolation {
        if (runtime == null || runtime.isBlank()) throw new IllegalArgumentException("runtime is required");
        mounts = List.copyOf(mounts);
        if (pidMode == null) pidMode = Mode.PRIVATE;
        if (ipcMode == null) ipcMode = Mode.PRIVATE;
        capabilities = List.copyOf(capabilities);
        for (String cap : capabilities) {
            if (!cap.matches("CAP_[A-Z_]+")) throw new IllegalArgumentException("capability must look like CAP_CHOWN, got \"" + cap + "\"");
        }
        if (pidsLimit < 0) throw new IllegalArgumentException("pidsLimit must not be negative");
    }

    /** Namespace sharing, Nomad's {@code pid_mode} / {@code ipc_mode} values. */
    public enum Mode {
        PRIVATE, HOST;

        /** Parses "private" or "host" (any case). */
        public static Mode parse(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "private" -> PRIVATE;
                case "host" -> HOST;
                default -> throw new IllegalArgumentException("must be \"private\" or \"host\", got \"" + value + "\"");
            };
        }
    }

    /** A host path visible in the sandbox at {@code target} (absolute inside the sandbox). */
    public record BindMount(String source, String target, boolean readOnly) {
        public BindMount {
            if (source == null || !source.startsWith("/")) throw new IllegalArgumentException("mount source must be an absolute host path, got \"" + source + "\"");
            if (target == null || !target.startsWith("/")) throw new IllegalArgumentException("mount target must be an absolute sandbox path, got \"" + target + "\"");
        }
    }
}
