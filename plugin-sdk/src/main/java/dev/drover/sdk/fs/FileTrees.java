package dev.drover.sdk.fs;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.logging.Logger;

/** Removing directory trees we created (alloc dirs, scratch dirs, a dev agent's data dir). */
public final class FileTrees {
    private static final Logger LOG = Logger.getLogger(FileTrees.class.getName());

    private FileTrees() {}

    /**
     * Removes {@code root} and everything under it. Symlinks are removed, never followed, and a
     * directory on another file system (a mount point left inside, e.g. a bind mount) is left alone
     * with what is under it: removing a tree must never reach into a host directory mounted there.
     */
    public static void delete(Path root) throws IOException {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) return;
        Object device = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (device.equals(Files.getAttribute(dir, "unix:dev", LinkOption.NOFOLLOW_LINKS))) return FileVisitResult.CONTINUE;
                LOG.warning("not removing " + dir + ": another file system is mounted there");
                return FileVisitResult.SKIP_SUBTREE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) throw exc;
                Files.deleteIfExists(dir); // fails (not empty) above a mount point that was left alone
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** As {@link #delete}, logging instead of throwing: for leftovers nobody waits on. */
    public static void deleteQuietly(Path root) {
        try {
            delete(root);
        } catch (IOException | RuntimeException e) {
            LOG.fine("cannot remove " + root + ": " + e);
        }
    }
}
