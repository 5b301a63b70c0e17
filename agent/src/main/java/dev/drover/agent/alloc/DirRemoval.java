package dev.drover.agent.alloc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** The host-side checks and sweeps around removing an allocation: mounts below its dir, its cgroup leaves. */
final class DirRemoval {
    private static final Logger LOG = Logger.getLogger(DirRemoval.class.getName());
    /** The executor's parent cgroup in every hierarchy (dev.drover.executor.Cgroups.PARENT). */
    private static final String CGROUP_PARENT = "drover";

    private DirRemoval() {}

    /** Mount points at or below {@code dir}, from /proc/self/mountinfo (field 5; octal escapes as the kernel writes them). */
    static List<String> mountsUnder(Path dir) {
        String prefix = dir.toAbsolutePath().normalize().toString();
        var out = new ArrayList<String>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
                String[] f = line.split(" ");
                if (f.length < 5) continue;
                String point = unescape(f[4]);
                if (point.equals(prefix) || point.startsWith(prefix + "/")) out.add(point);
            }
        } catch (IOException e) {
            LOG.fine("cannot read /proc/self/mountinfo: " + e.getMessage());
        }
        return out;
    }

    private static String unescape(String s) {
        var b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length()) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /**
     * Removes task cgroup leaves whose name starts with {@code prefix} ("allocId.") in every
     * mounted hierarchy. The executor removes its own; this catches the ones a crash left. rmdir
     * fails on a cgroup that still has processes, so nothing running loses its cgroup.
     */
    static void removeCgroupLeaves(String prefix) {
        for (Path parent : cgroupParents()) {
            try (var leaves = Files.list(parent)) {
                for (Path leaf : leaves.filter(p -> p.getFileName().toString().startsWith(prefix)).toList()) {
                    try {
                        Files.delete(leaf);
                    } catch (IOException e) {
                        LOG.warning("cannot remove cgroup " + leaf + ": " + e.getMessage());
                    }
                }
            } catch (IOException e) {
                // no such hierarchy or parent: nothing of ours there
            }
        }
    }

    private static List<Path> cgroupParents() {
        var out = new ArrayList<Path>();
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length >= 3 && (f[2].equals("cgroup") || f[2].equals("cgroup2"))) {
                    Path parent = Path.of(unescape(f[1])).resolve(CGROUP_PARENT);
                    if (Files.isDirectory(parent)) out.add(parent);
                }
            }
        } catch (IOException e) {
            LOG.fine("cannot read /proc/self/mounts: " + e.getMessage());
        }
        return out;
    }
}
