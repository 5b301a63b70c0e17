package dev.drover.executor.isolated;

import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.rpc.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates the OCI runtime spec (config.json, runtime-spec 1.0.2) for a sandboxed task, the way
 * Nomad's libcontainer executor configures its container: the task dir is the root, host dirs
 * come in as bind mounts, a fresh mount and UTS namespace always, PID/IPC namespaces per mode,
 * the host network, Docker's default device list, masked and read-only paths. Accepted by crun
 * 1.8 and runc 1.1, attached or with {@code run --detach}.
 *
 * <p>Deliberately absent: {@code linux.seccomp} (Nomad's exec driver applies no seccomp profile
 * by default), {@code process.rlimits} (the task inherits the executor's limits, as under Nomad;
 * raising RLIMIT_NOFILE above the inherited hard limit fails without CAP_SYS_RESOURCE), {@code
 * process.oomScoreAdj}, and every {@code linux.resources} limit except devices: the executor
 * manages the task cgroup at {@link Input#cgroupsPath()} itself.
 */
public final class OciSpec {
    public static final String OCI_VERSION = "1.0.2";
    /** The bounding set of this process, which is the most a runtime it starts can hand on. */
    public static final long HOST_BOUNDING = readBounding(Path.of("/proc/self/status"));

    private OciSpec() {}

    /**
     * What a sandboxed process looks like.
     *
     * @param containerId    the runtime's container id (also the default hostname)
     * @param rootfs         host path of the sandbox root: the task dir, made absolute
     * @param argv           the command; argv[0] is a path inside the sandbox
     * @param env            the final environment
     * @param cwd            working directory inside the sandbox, absolute
     * @param additionalGids supplementary groups
     * @param cgroupsPath    the task's cgroup, e.g. "/drover/&lt;leaf&gt;"; "" to let the runtime choose
     * @param hostname       the sandbox's hostname (it always has its own UTS namespace); "" for the id
     */
    public record Input(String containerId, Path rootfs, List<String> argv, Map<String, String> env, String cwd,
                        int uid, int gid, List<Integer> additionalGids, Isolation isolation, String cgroupsPath,
                        String hostname) {
        public Input {
            if (containerId == null || !containerId.matches("[A-Za-z0-9][A-Za-z0-9_.-]*")) {
                throw new IllegalArgumentException("container id must be letters, digits, '_', '.' or '-', got \"" + containerId + "\"");
            }
            if (rootfs == null) throw new IllegalArgumentException("rootfs is required");
            rootfs = rootfs.toAbsolutePath().normalize();
            argv = List.copyOf(argv);
            if (argv.isEmpty() || argv.getFirst().isEmpty()) throw new IllegalArgumentException("argv[0] is required");
            env = Map.copyOf(env);
            for (String key : env.keySet()) {
                if (key.isEmpty() || key.contains("=")) throw new IllegalArgumentException("bad environment variable name \"" + key + "\"");
            }
            if (cwd == null || cwd.isEmpty()) cwd = "/";
            if (!cwd.startsWith("/")) throw new IllegalArgumentException("cwd must be an absolute sandbox path, got \"" + cwd + "\"");
            if (uid < 0 || gid < 0) throw new IllegalArgumentException("uid and gid must not be negative");
            additionalGids = additionalGids == null ? List.of() : List.copyOf(additionalGids);
            if (isolation == null) throw new IllegalArgumentException("isolation is required");
            cgroupsPath = cgroupsPath == null ? "" : cgroupsPath;
            hostname = hostname == null || hostname.isBlank() ? containerId : hostname;
        }
    }

    /** The config.json text (the executor writes it with the plugin wire's small JSON writer, not Jackson). */
    public static String json(Input in) {
        return new String(Json.write(tree(in)), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The spec as JSON values ({@link Json}), for callers that want to adjust it. */
    public static Map<String, Object> tree(Input in) {
        return Json.object("ociVersion", OCI_VERSION, "process", process(in),
                "root", Json.object("path", in.rootfs().toString(), "readonly", false),
                "hostname", in.hostname(), "mounts", OciMounts.mounts(in.isolation()), "linux", linux(in));
    }

    /**
     * Runtime CLI flags the spec cannot express, to put after {@code run}: {@code --no-pivot} when
     * the root must be entered with chroot (pivot_root fails on a ramdisk root).
     */
    public static List<String> runtimeFlags(Isolation isolation) {
        return isolation.noPivotRoot() ? List.of("--no-pivot") : List.of();
    }

    /** The capability set of a process run as {@code uid}, given this process's bounding set. */
    public static List<String> capabilities(int uid, Isolation isolation) {
        return capabilities(uid, isolation, HOST_BOUNDING);
    }

    /**
     * The capability set of a process run as {@code uid}: Isolation's list for a user, the legacy
     * full set for root, less any capability missing from {@code hostBounding}. A runtime cannot
     * grant what it does not hold (crun and runc fail with "capset: Operation not permitted"),
     * and an agent inside a container often lacks some (e.g. CAP_SYS_RESOURCE). A user's explicit
     * list is kept whole so that such a request fails loudly instead of quietly shrinking.
     */
    public static List<String> capabilities(int uid, Isolation isolation, long hostBounding) {
        if (uid != 0) return List.copyOf(CapabilitySet.normalizeAll(isolation.capabilities()));
        var caps = new ArrayList<String>();
        for (String cap : CapabilitySet.LEGACY_SUPPORTED) {
            if ((hostBounding & 1L << CapabilitySet.number(cap)) != 0) caps.add(cap);
        }
        return List.copyOf(caps);
    }

    /** CapBnd of this process from /proc/self/status; every bit set if it cannot be read. */
    static long readBounding(Path status) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("CapBnd:")) return Long.parseUnsignedLong(line.substring(7).trim(), 16);
            }
        } catch (IOException | NumberFormatException e) {
            // Fall through: let the runtime report what it cannot grant.
        }
        return -1L;
    }

    private static Map<String, Object> process(Input in) {
        var env = new ArrayList<String>();
        new TreeMap<>(in.env()).forEach((k, v) -> env.add(k + "=" + v));
        var caps = capabilities(in.uid(), in.isolation());
        var capabilities = Json.object("bounding", caps, "effective", caps, "permitted", caps);
        if (in.uid() != 0) {
            // Nomad gives a non-root task its caps as inheritable + ambient as well: across the
            // exec of a file without file caps only ambient caps survive into permitted/effective.
            capabilities.put("inheritable", caps);
            capabilities.put("ambient", caps);
        }
        return Json.object("terminal", false,
                "user", Json.object("uid", in.uid(), "gid", in.gid(), "additionalGids", in.additionalGids()),
                "args", in.argv(), "env", env, "cwd", in.cwd(), "capabilities", capabilities,
                // Docker's and Nomad's default: setuid binaries (e.g. su, ping) keep working.
                "noNewPrivileges", false);
    }

    private static Map<String, Object> linux(Input in) {
        var namespaces = new ArrayList<Object>(List.of(Json.object("type", "mount"), Json.object("type", "uts")));
        if (in.isolation().pidMode() == Isolation.Mode.PRIVATE) namespaces.add(Json.object("type", "pid"));
        if (in.isolation().ipcMode() == Isolation.Mode.PRIVATE) namespaces.add(Json.object("type", "ipc"));
        // No network namespace (host network) and no user namespace, as Nomad's exec without a
        // network block.
        var linux = Json.object("namespaces", namespaces);
        if (!in.cgroupsPath().isEmpty()) linux.put("cgroupsPath", in.cgroupsPath());
        linux.put("resources", Json.object("devices", OciMounts.deviceRules()));
        linux.put("devices", OciMounts.devices());
        linux.put("maskedPaths", OciMounts.MASKED_PATHS);
        linux.put("readonlyPaths", OciMounts.READONLY_PATHS);
        return linux;
    }
}
