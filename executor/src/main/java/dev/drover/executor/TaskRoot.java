package dev.drover.executor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * The task dir as a sandbox root. Preparing it is O(1): a few directories and their owners —
 * host directories come in as bind mounts, so nothing is copied however big they are.
 */
final class TaskRoot {
    private TaskRoot() {}

    /** Directories of the task dir the task's user must be able to write. */
    private static final List<String> WRITABLE = List.of("local", "secrets", "tmp");

    static void prepare(Path rootfs, int uid, int gid) {
        try {
            // The root must be traversable by the task's user, whatever the dir was created with.
            Files.setAttribute(rootfs, "unix:mode", 0755);
            Path tmp = rootfs.resolve("tmp");
            Files.createDirectories(tmp);
            // Sticky and world-writable, like any /tmp: the JDK's permission API has no sticky bit.
            Files.setAttribute(tmp, "unix:mode", 01777);
            if (uid == 0) return;
            for (String name : WRITABLE) {
                Path dir = rootfs.resolve(name);
                if (!Files.isDirectory(dir)) continue;
                Files.setAttribute(dir, "unix:uid", uid);
                Files.setAttribute(dir, "unix:gid", gid);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the task dir " + rootfs + " as a sandbox root: " + e.getMessage(), e);
        }
    }

    /** The node's host name, given to the task's own UTS namespace (read from the kernel: no DNS). */
    static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }

    static void deleteTree(Path dir) {
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            // a bundle is small and lives under /run: a leftover is harmless
        }
    }
}
