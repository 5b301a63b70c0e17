package dev.drover.executor.isolated;

import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.rpc.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The filesystem half of the spec: the kernel filesystems every sandbox gets, the task's bind
 * mounts, Docker's default device set, and the /proc and /sys paths a task must not see or write.
 */
final class OciMounts {
    /** Docker's default masked paths (covered with /dev/null or an empty read-only tmpfs). */
    static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");

    /** Docker's default read-only paths. */
    static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");

    /** A character device node the runtime creates in the sandbox's /dev, and lets the task use. */
    record Device(String path, int major, int minor) {}

    static final List<Device> DEVICES = List.of(
            new Device("/dev/null", 1, 3), new Device("/dev/zero", 1, 5), new Device("/dev/full", 1, 7),
            new Device("/dev/random", 1, 8), new Device("/dev/urandom", 1, 9), new Device("/dev/tty", 5, 0));

    private static final int MODE_0666 = 0666;

    private OciMounts() {}

    /**
     * Kernel filesystems first (so binds may land on top of them, e.g. a file under /dev), then
     * the task's binds in the given order. /tmp is not a tmpfs: the task dir's own tmp/ is the
     * sandbox's /tmp, so its contents stay on disk with the rest of the task dir.
     */
    static List<Object> mounts(Isolation isolation) {
        var mounts = new ArrayList<>();
        mounts.add(mount("/proc", "proc", "proc", "nosuid", "noexec", "nodev"));
        mounts.add(mount("/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k"));
        mounts.add(mount("/dev/pts", "devpts", "devpts", "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"));
        mounts.add(mount("/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=65536k"));
        // A fresh mqueue fs would expose the host's queues without a private IPC namespace.
        if (isolation.ipcMode() == Isolation.Mode.PRIVATE) {
            mounts.add(mount("/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev"));
        }
        mounts.add(mount("/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", "ro"));
        for (Isolation.BindMount bind : isolation.mounts()) {
            // No nosuid/noexec: chroot_env dirs such as /usr/bin must stay executable. rprivate
            // keeps the task's later mounts and unmounts from propagating to the host.
            mounts.add(mount(bind.target(), "bind", bind.source(), "rbind", bind.readOnly() ? "ro" : "rw", "rprivate"));
        }
        return mounts;
    }

    /** linux.resources.devices: deny everything, then Docker's default allow-list. */
    static List<Object> deviceRules() {
        var rules = new ArrayList<>();
        rules.add(Json.object("allow", false, "access", "rwm"));
        // mknod of any node is allowed (the task has CAP_MKNOD) but opening one is not.
        rules.add(rule("c", null, null, "m"));
        rules.add(rule("b", null, null, "m"));
        for (Device device : DEVICES) rules.add(rule("c", device.major(), device.minor(), "rwm"));
        rules.add(rule("c", 5, 2, "rwm"));       // /dev/ptmx
        rules.add(rule("c", 136, null, "rwm"));  // /dev/pts/*
        return rules;
    }

    /** linux.devices: the nodes created in the sandbox's /dev. */
    static List<Object> devices() {
        var devices = new ArrayList<>();
        for (Device device : DEVICES) {
            devices.add(Json.object("path", device.path(), "type", "c", "major", device.major(), "minor", device.minor(),
                    "fileMode", MODE_0666, "uid", 0, "gid", 0));
        }
        return devices;
    }

    private static Map<String, Object> mount(String destination, String type, String source, String... options) {
        return Json.object("destination", destination, "type", type, "source", source, "options", List.of(options));
    }

    /** A null major or minor is the wildcard (omitted in the spec). */
    private static Map<String, Object> rule(String type, Integer major, Integer minor, String access) {
        var rule = Json.object("allow", true);
        rule.put("type", type);
        if (major != null) rule.put("major", major);
        if (minor != null) rule.put("minor", minor);
        rule.put("access", access);
        return rule;
    }
}
