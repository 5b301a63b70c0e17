package dev.drover.executor.isolated;

import dev.drover.sdk.executor.Isolation.BindMount;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where a path inside the sandbox lives on the host, so the executor can check files before the
 * runtime starts. Symlinks are followed on the host side: an absolute symlink inside the task dir
 * would resolve against the host root, not the sandbox's, so checks through one can be wrong.
 */
public final class SandboxPaths {
    /** Nomad's restricted PATH inside the chroot (lookupTaskBin), searched after the task dir. */
    public static final List<String> SEARCH_PATH = List.of("/usr/local/bin", "/usr/bin", "/bin");

    private SandboxPaths() {}

    /**
     * The host path behind {@code sandboxPath}: under the bind mount with the longest target that
     * contains it, else under {@code rootfs}. ".." cannot climb out of the sandbox root.
     */
    public static Path hostPath(Path rootfs, List<BindMount> mounts, String sandboxPath) {
        Path inside = sandboxPath(sandboxPath);
        BindMount best = null;
        int bestDepth = -1;
        for (BindMount mount : mounts) {
            Path target = sandboxPath(mount.target());
            if (inside.startsWith(target) && target.getNameCount() > bestDepth) {
                best = mount;
                bestDepth = target.getNameCount();
            }
        }
        if (best == null) return rootfs.resolve(Path.of("/").relativize(inside).toString());
        Path rest = sandboxPath(best.target()).relativize(inside);
        return Path.of(best.source()).resolve(rest.toString());
    }

    /**
     * Nomad's lookup of the task's binary, returning its path inside the sandbox. A name with a
     * "/" is taken relative to the sandbox root ("local/app" is "/local/app"); a bare name is
     * looked for in the task dir's root, then its local/, then {@link #SEARCH_PATH} (never the
     * agent's PATH).
     *
     * @throws IllegalArgumentException if no regular file is found, listing where it looked
     */
    public static String lookupBinary(Path rootfs, List<BindMount> mounts, String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("executable name is required");
        var candidates = new ArrayList<String>();
        if (name.contains("/")) {
            candidates.add(sandboxPath(name.startsWith("/") ? name : "/" + name).toString());
        } else {
            candidates.add("/" + name);
            candidates.add("/local/" + name);
            for (String dir : SEARCH_PATH) candidates.add(dir + "/" + name);
        }
        for (String candidate : candidates) {
            if (Files.isRegularFile(hostPath(rootfs, mounts, candidate))) return candidate;
        }
        throw new IllegalArgumentException("executable \"" + name + "\" not found in the sandbox; searched: "
                + String.join(", ", candidates));
    }

    /** Absolute and normalized; Path.normalize drops ".." at the root, so "/../etc" is "/etc". */
    private static Path sandboxPath(String path) {
        if (path == null || !path.startsWith("/")) throw new IllegalArgumentException("sandbox path must be absolute, got \"" + path + "\"");
        return Path.of(path).normalize();
    }
}
