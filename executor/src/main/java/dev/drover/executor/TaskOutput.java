package dev.drover.executor;

import static dev.drover.executor.LibC.*;

import dev.drover.sdk.nativ.NativeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Opens where a task's stdout/stderr go: logmon's fifo, a plain file, or nowhere. */
final class TaskOutput {
    private TaskOutput() {}

    /** How long a fifo may stay without a reader before launch fails (logmon normally holds it open). */
    static final long FIFO_READER_WAIT_MILLIS = 5_000;

    /**
     * @return a close-on-exec write fd the caller must close
     * @throws NativeException when the path cannot be opened
     */
    static int openWriter(String path) {
        if (path.isEmpty() || path.equals("/dev/null")) return check("/dev/null", open("/dev/null", O_WRONLY | O_CLOEXEC, 0));
        if (!isFifo(Path.of(path))) {
            return check(path, open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644));
        }
        // Non-blocking so a fifo nobody reads fails (ENXIO) instead of hanging the launch forever.
        long deadline = System.currentTimeMillis() + FIFO_READER_WAIT_MILLIS;
        while (true) {
            int probe = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (probe >= 0) {
                // Logmon is reading. The task itself gets a read-write end: the pipe then never loses
                // its last reader, so if logmon (or a shared plugin host) dies the task's writes
                // block until a new logmon drains them, instead of killing it with SIGPIPE.
                int fd = open(path, O_RDWR | O_CLOEXEC, 0);
                dev.drover.sdk.nativ.Native.close(probe);
                return check(path, fd);
            }
            int fd = probe;
            if (-fd != ENXIO || System.currentTimeMillis() > deadline) {
                throw new NativeException("open " + path + (-fd == ENXIO ? " (fifo has no reader)" : ""), -fd);
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new NativeException("open " + path, EINTR);
            }
        }
    }

    private static int check(String path, int fd) {
        if (fd < 0) throw new NativeException("open " + path, -fd);
        return fd;
    }

    private static boolean isFifo(Path path) {
        try {
            return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).isOther()
                    && ((int) Files.getAttribute(path, "unix:mode") & 0170000) == 0010000;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
