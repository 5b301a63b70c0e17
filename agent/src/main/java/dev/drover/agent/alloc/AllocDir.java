package dev.drover.agent.alloc;

import dev.drover.sdk.fs.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;

import java.nio.file.Files;
import java.nio.file.Path;


import java.nio.file.attribute.PosixFilePermissions;

/**
 * One allocation's directory (Nomad's layout):
 * <pre>
 * &lt;alloc_dir&gt;/&lt;alloc id&gt;/
 *   alloc/{logs,data,tmp}           shared by the group's tasks; logs/ holds rotated files and the fifos
 *   &lt;task&gt;/{local,secrets,tmp}     one per task
 * </pre>
 */
public record AllocDir(Path root) {
    public Path sharedDir() {
        return root.resolve("alloc");
    }

    public Path logsDir() {
        return sharedDir().resolve("logs");
    }

    public Path taskDir(String task) {
        return root.resolve(task);
    }

    public Path stdoutFifo(String task) {
        return logsDir().resolve("." + task + ".stdout.fifo");
    }

    public Path stderrFifo(String task) {
        return logsDir().resolve("." + task + ".stderr.fifo");
    }

    /** Creates the shared part; idempotent. */
    public void build() {
        try {
            mkdir(root, "rwxr-xr-x");
            mkdir(sharedDir(), "rwxrwxrwx");
            for (String d : new String[] {"logs", "data", "tmp"}) mkdir(sharedDir().resolve(d), "rwxrwxrwx");
        } catch (IOException e) {
            throw new UncheckedIOException("failed to build alloc dir " + root + ": " + e.getMessage(), e);
        }
    }

    /** Creates a task's directory; idempotent, so restarts are cheap. */
    public void buildTask(String task) {
        try {
            Path dir = taskDir(task);
            mkdir(dir, "rwxrwxrwx");
            mkdir(dir.resolve("local"), "rwxrwxrwx");
            mkdir(dir.resolve("secrets"), "rwx------");
            mkdir(dir.resolve("tmp"), "rwxrwxrwt");
        } catch (IOException e) {
            throw new UncheckedIOException("failed to build task dir for " + task + ": " + e.getMessage(), e);
        }
    }

    private static void mkdir(Path dir, String perms) throws IOException {
        Files.createDirectories(dir);
        if (perms.endsWith("t")) {
            // The sticky bit has no PosixFilePermission; set it like `chmod 1777`.
            Files.setAttribute(dir, "unix:mode", 01777);
        } else {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(perms));
        }
    }

    /** Removes the whole directory tree (never through a mount point, see {@link FileTrees#delete}). */
    public void destroy() {
        try {
            FileTrees.delete(root);
        } catch (IOException e) {
            throw new UncheckedIOException("failed to remove alloc dir " + root + ": " + e.getMessage(), e);
        }
    }
}
