package dev.drover.drivers.shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Finds the OCI runtime the isolated executor will use and checks that it can run sandboxes on
 * this host. crun 1.8 refuses every container on a cgroup v1/v2 hybrid host whose cgroup2
 * hierarchy still holds controllers, so that case is detected here, reported with the fix, and
 * runc (which copes) is used instead when it is installed.
 */
public final class OciRuntimeProbe {
    private OciRuntimeProbe() {}

    /** What the probe looks at; tests pass fake cgroup trees, search paths and runners. */
    public record Host(Path cgroupRoot, List<Path> searchPath, int euid, CommandRunner runner, Duration timeout) {
        public Host {
            searchPath = List.copyOf(searchPath);
        }

        /** This machine: /sys/fs/cgroup, $PATH plus the usual sbin/bin dirs, the effective uid. */
        public static Host system() {
            var dirs = new LinkedHashSet<Path>();
            String path = System.getenv("PATH");
            if (path != null) {
                for (String d : path.split(":")) if (!d.isBlank()) dirs.add(Path.of(d));
            }
            for (String d : List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")) dirs.add(Path.of(d));
            return new Host(Path.of("/sys/fs/cgroup"), List.copyOf(dirs), effectiveUid(), CommandRunner.SYSTEM, Duration.ofSeconds(5));
        }
    }

    /** The cgroup layout, as node attribute {@code driver.exec.cgroup}. */
    public enum CgroupMode {
        V1_HYBRID("v1-hybrid"), V2("v2"), V1("v1"), NONE("none");

        public final String attribute;

        CgroupMode(String attribute) {
            this.attribute = attribute;
        }
    }

    /** @param v2Controllers controllers enabled in the cgroup2 hierarchy (hybrid: the ones that upset crun) */
    public record CgroupLayout(CgroupMode mode, List<String> v2Controllers) {
        public CgroupLayout {
            v2Controllers = List.copyOf(v2Controllers);
        }
    }

    /** The outcome: a runtime to use, or why there is none. */
    public sealed interface Result permits Usable, Unusable {
        CgroupLayout cgroups();
    }

    /**
     * @param name    "crun" or "runc" (from its --version output)
     * @param path    the binary the executor should run
     * @param note    "" or why this is not the configured runtime ("crun unusable: …; using runc")
     */
    public record Usable(String name, Path path, String version, CgroupLayout cgroups, String note) implements Result {
        public String healthDescription() {
            return note.isEmpty() ? "Healthy" : note;
        }
    }

    public enum Problem { NOT_ROOT, NO_CGROUPS, NO_RUNTIME }

    public record Unusable(Problem problem, String reason, CgroupLayout cgroups) implements Result {}

    /** Probes for {@code configured} ("crun", "runc" or an absolute path). */
    public static Result probe(Host host, String configured) {
        var cgroups = detectCgroups(host.cgroupRoot());
        if (host.euid() != 0) {
            return new Unusable(Problem.NOT_ROOT, "the agent must run as root to create sandboxes (it runs as uid " + host.euid()
                    + "); use isolation = \"universal\" or the raw_exec driver otherwise", cgroups);
        }
        if (cgroups.mode() == CgroupMode.NONE) {
            return new Unusable(Problem.NO_CGROUPS, "no cgroup filesystem is mounted at " + host.cgroupRoot(), cgroups);
        }
        String first;
        try {
            return check(host, configured, cgroups);
        } catch (ProbeFailure e) {
            first = e.getMessage();
        }
        // crun is the default because it is fastest; runc is the fallback that works on more hosts.
        if (!configured.equals("runc") && isCrun(configured)) {
            try {
                var runc = check(host, "runc", cgroups);
                return new Usable(runc.name(), runc.path(), runc.version(), cgroups, first + "; using runc");
            } catch (ProbeFailure e) {
                return new Unusable(Problem.NO_RUNTIME, first + "; runc fallback: " + e.getMessage(), cgroups);
            }
        }
        return new Unusable(Problem.NO_RUNTIME, first, cgroups);
    }

    private static boolean isCrun(String configured) {
        return configured.equals("crun") || Path.of(configured).getFileName().toString().startsWith("crun");
    }

    /** Finds the runtime, asks its version and checks it against the cgroup layout. */
    private static Usable check(Host host, String configured, CgroupLayout cgroups) throws ProbeFailure {
        Path binary = locate(host, configured);
        CommandRunner.Output out;
        try {
            out = host.runner().run(List.of(binary.toString(), "--version"), host.timeout());
        } catch (IOException e) {
            throw new ProbeFailure(configured + " unusable: " + e.getMessage());
        }
        String firstLine = out.text().lines().findFirst().orElse("").trim();
        // "crun version 1.8.1" / "runc version 1.1.5+ds1"
        var words = firstLine.split("\\s+");
        if (out.exitCode() != 0 || words.length < 3 || !words[1].equals("version")) {
            throw new ProbeFailure(configured + " unusable: \"" + binary + " --version\" exited with " + out.exitCode()
                    + " and printed \"" + firstLine + "\", not \"<name> version <x.y.z>\"");
        }
        String name = words[0];
        if (name.equals("crun") && cgroups.mode() == CgroupMode.V1_HYBRID && !cgroups.v2Controllers().isEmpty()) {
            throw new ProbeFailure("crun unusable: this host mixes cgroup v1 and v2 and the cgroup2 hierarchy still holds the "
                    + String.join(", ", cgroups.v2Controllers()) + " controller" + (cgroups.v2Controllers().size() == 1 ? "" : "s")
                    + ", which crun " + words[2] + " refuses (\"cgroups in hybrid mode not supported, drop all controllers from cgroupv2\");"
                    + " fix: mount " + (cgroups.v2Controllers().size() == 1 ? "it" : "them") + " as v1: "
                    + hybridFix(host.cgroupRoot(), cgroups.v2Controllers()));
        }
        return new Usable(name, binary, words[2], cgroups, "");
    }

    /** The shell commands that move the controllers out of cgroup2 (a v1 mount claims them). */
    static String hybridFix(Path root, List<String> controllers) {
        return controllers.stream().map(c -> {
            Path dir = root.resolve(c);
            return "mkdir -p " + dir + " && mount -t cgroup -o " + c + " cgroup " + dir;
        }).collect(Collectors.joining(" && "));
    }

    private static Path locate(Host host, String configured) throws ProbeFailure {
        if (configured.startsWith("/")) {
            Path p = Path.of(configured);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
            throw new ProbeFailure(configured + " unusable: no executable file at " + configured);
        }
        for (Path dir : host.searchPath()) {
            Path p = dir.resolve(configured);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) return p;
        }
        throw new ProbeFailure(configured + " unusable: not found in " + host.searchPath().stream().map(Path::toString)
                .collect(Collectors.joining(":")) + " (install it: apt-get install " + configured + ")");
    }

    /**
     * Reads the layout from the files a cgroup mount has: a cgroup2 root has
     * {@code cgroup.controllers}; every v1 hierarchy has a {@code tasks} file; a hybrid host has v1
     * hierarchies plus cgroup2 at {@code unified/}.
     */
    public static CgroupLayout detectCgroups(Path root) {
        if (Files.isRegularFile(root.resolve("cgroup.controllers"))) {
            return new CgroupLayout(CgroupMode.V2, controllers(root.resolve("cgroup.controllers")));
        }
        var v1 = new ArrayList<String>();
        try (var dirs = Files.list(root)) {
            dirs.filter(d -> !d.getFileName().toString().equals("unified") && Files.isRegularFile(d.resolve("tasks")))
                    .forEach(d -> v1.add(d.getFileName().toString()));
        } catch (IOException e) {
            return new CgroupLayout(CgroupMode.NONE, List.of());
        }
        if (v1.isEmpty()) return new CgroupLayout(CgroupMode.NONE, List.of());
        Path unified = root.resolve("unified").resolve("cgroup.controllers");
        if (Files.isRegularFile(unified)) return new CgroupLayout(CgroupMode.V1_HYBRID, controllers(unified));
        return new CgroupLayout(CgroupMode.V1, List.of());
    }

    private static List<String> controllers(Path file) {
        try {
            String text = Files.readString(file).trim();
            return text.isEmpty() ? List.of() : List.of(text.split("\\s+"));
        } catch (IOException e) {
            return List.of();
        }
    }

    /** The node attributes a usable runtime contributes, under {@code driver.<driver>.}. */
    public static Map<String, String> attributes(String driver, Result result) {
        var attrs = new java.util.LinkedHashMap<String, String>();
        if (result instanceof Usable u) {
            attrs.put("driver." + driver + ".runtime", u.name());
            attrs.put("driver." + driver + ".runtime.version", u.version());
        }
        attrs.put("driver." + driver + ".cgroup", result.cgroups().mode().attribute);
        return attrs;
    }

    /** The effective uid, from /proc/self/status ("Uid: real effective saved fs"). */
    static int effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) return Integer.parseInt(line.split("\\s+")[2]);
            }
        } catch (IOException | RuntimeException e) {
            // fall through
        }
        return "root".equals(System.getProperty("user.name")) ? 0 : -1;
    }

    /** A check that failed, with a message fit for a health description. */
    private static final class ProbeFailure extends Exception {
        ProbeFailure(String message) {
            super(message, null, false, false);
        }
    }
}
