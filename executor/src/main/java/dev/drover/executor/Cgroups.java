package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Which cgroup hierarchies this host has, read from /proc/self/mounts, and the factory for task
 * cgroups. Handles pure cgroup2 (/sys/fs/cgroup), hybrid (v1 controllers plus cgroup2 at
 * /sys/fs/cgroup/unified) and pure v1 hosts.
 */
public final class Cgroups {
    /** Every task cgroup lives under this parent, in every hierarchy. */
    public static final String PARENT = "drover";

    public enum Mode { NONE, V1, HYBRID, V2 }

    private final CgroupV2 v2;  // null: no cgroup2 mount
    private final CgroupV1 v1;  // null: none of the v1 controllers we join is mounted
    private final boolean disabled;

    public Cgroups(CgroupV2 v2, CgroupV1 v1) {
        this(v2, v1, false);
    }

    private Cgroups(CgroupV2 v2, CgroupV1 v1, boolean disabled) {
        this.v2 = v2;
        this.v1 = v1;
        this.disabled = disabled;
    }

    /**
     * Cgroups switched off by configuration: tasks are tracked by process group and ancestry only,
     * and a task's cgroup name is ignored. (A host that merely lacks cgroups is not "disabled":
     * there, root fails the launch, as Nomad does.)
     */
    public static Cgroups disabled() {
        return new Cgroups(null, null, true);
    }

    public static Cgroups detect() {
        try {
            var cgroups = parse(Files.readString(Path.of("/proc/self/mounts")));
            if (cgroups.v1 == null) return cgroups;
            var roots = mountRoots(Files.readString(Path.of("/proc/self/mountinfo")));
            return new Cgroups(cgroups.v2, new CgroupV1(cgroups.v1.mounts(), roots));
        } catch (IOException e) {
            return new Cgroups(null, null);
        }
    }

    /**
     * Mount point → mounted root of every v1 cgroup mount that shows a sub-tree, from /proc/self/mountinfo
     * ("id parent dev root mountpoint options [optional…] - cgroup source super-options").
     */
    static Map<Path, String> mountRoots(String mountinfo) {
        var roots = new LinkedHashMap<Path, String>();
        for (String line : mountinfo.lines().toList()) {
            int dash = line.indexOf(" - ");
            if (dash < 0 || !line.startsWith("cgroup ", dash + 3)) continue;
            String[] f = line.substring(0, dash).split(" ");
            if (f.length < 5 || f[3].equals("/")) continue;
            roots.put(Path.of(unescape(f[4])), unescape(f[3]));
        }
        return roots;
    }

    private static String unescape(String field) {
        return field.replace("\\040", " ");
    }

    public boolean isDisabled() {
        return disabled;
    }

    /** Parses /proc/self/mounts text: "device mountpoint fstype options dump pass" per line. */
    public static Cgroups parse(String mounts) {
        Path unified = null;
        var v1 = new LinkedHashMap<String, Path>();
        for (String line : mounts.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length < 4) continue;
            Path mountPoint = Path.of(unescape(f[1]));
            if (f[2].equals("cgroup2")) {
                // Prefer the canonical places if several cgroup2 mounts exist.
                if (unified == null || mountPoint.equals(Path.of("/sys/fs/cgroup"))
                        || (mountPoint.equals(Path.of("/sys/fs/cgroup/unified")) && !unified.equals(Path.of("/sys/fs/cgroup")))) {
                    unified = mountPoint;
                }
            } else if (f[2].equals("cgroup")) {
                for (String option : f[3].split(",")) {
                    for (String c : CgroupV1.CONTROLLERS) {
                        if (option.equals(c)) v1.putIfAbsent(c, mountPoint);
                    }
                }
            }
        }
        return new Cgroups(unified == null ? null : new CgroupV2(unified), v1.isEmpty() ? null : new CgroupV1(v1));
    }

    public Mode mode() {
        if (v2 != null) return v1 != null ? Mode.HYBRID : Mode.V2;
        return v1 != null ? Mode.V1 : Mode.NONE;
    }

    public boolean available() {
        return mode() != Mode.NONE;
    }

    public Optional<CgroupV2> v2() {
        return Optional.ofNullable(v2);
    }

    public Optional<CgroupV1> v1() {
        return Optional.ofNullable(v1);
    }

    /** A leaf is a single path element: no separators, nothing that climbs out of the parent. */
    public static void validateLeaf(String leaf) {
        if (leaf.isBlank() || leaf.contains("/") || leaf.equals(".") || leaf.equals("..") || leaf.contains("\0")
                || leaf.startsWith("cgroup.") || leaf.length() > 200) {
            throw new IllegalArgumentException("invalid cgroup name \"" + leaf + "\": must be one path element");
        }
    }

    /**
     * Creates the task's leaf in every hierarchy. An existing empty leaf (left by a crash) is reused;
     * one with live processes belongs to someone else.
     */
    public TaskCgroup create(String leaf) throws IOException {
        validateLeaf(leaf);
        if (!available()) throw new IOException("no cgroup hierarchy is mounted");
        Path v2dir = v2 == null ? null : v2.create(leaf);
        Map<String, Path> v1dirs = v1 == null ? Map.of() : v1.create(leaf);
        var cgroup = new TaskCgroup(leaf, v2dir, v1dirs, v1);
        var live = cgroup.pids();
        if (!live.isEmpty()) {
            throw new CgroupInUseException("cgroup " + leaf + " already holds processes " + live);
        }
        return cgroup;
    }

    /**
     * {@link #create(String)} with the limits applied before any process joins: the task starts
     * limited. The leaf is removed again when the limits cannot be applied.
     *
     * @throws TaskCgroup.MissingControllerException a limit has no controller on this host
     */
    public TaskCgroup create(String leaf, CgroupLimits limits) throws IOException {
        var cgroup = create(leaf);
        try {
            cgroup.apply(limits);
        } catch (IOException | RuntimeException e) {
            cgroup.remove();
            throw e;
        }
        return cgroup;
    }

    /** The leaf of a task that already runs (adopted after its executor died): nothing is created. */
    public TaskCgroup open(String leaf) throws IOException {
        validateLeaf(leaf);
        if (!available()) throw new IOException("no cgroup hierarchy is mounted");
        Path v2dir = v2 == null ? null : v2.create(leaf);
        Map<String, Path> v1dirs = v1 == null ? Map.of() : v1.create(leaf);
        return new TaskCgroup(leaf, v2dir, v1dirs, v1);
    }

    /** The leaf exists with live processes: it is another task's. */
    public static final class CgroupInUseException extends IOException {
        CgroupInUseException(String message) {
            super(message);
        }
    }

    @Override
    public String toString() {
        return switch (mode()) {
            case NONE -> disabled ? "cgroups disabled" : "no cgroups";
            case V2 -> "cgroup2 at " + v2.root();
            case V1 -> "cgroup v1 " + v1.mounts();
            case HYBRID -> "hybrid: cgroup2 at " + v2.root() + ", v1 " + v1.mounts();
        };
    }
}
