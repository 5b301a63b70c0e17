package dev.drover.logmon;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Read-write handles on fifos whose copy was stopped while a writer still had them open, kept for
 * a short grace. An open O_RDWR handle counts as a reader, so in the gap between a stop and the
 * next start of the same fifo a writer's output waits in the pipe (up to the pipe buffer, then the
 * writer blocks) instead of killing it with SIGPIPE; the next copier of that fifo takes the handle
 * over and copies what waited. Unclaimed handles are closed after the grace, so an orphan that
 * keeps writing into a finished task's fifo gets EPIPE/SIGPIPE as it would under Nomad.
 */
final class FifoHolds {
    private static final Logger LOG = Logger.getLogger(FifoHolds.class.getName());

    private final Duration grace;
    /** {@code fileKey} (device + inode) tells whether the path still names the fifo we hold. */
    private record Held(FileChannel handle, Object fileKey) implements AutoCloseable {
        @Override
        public void close() throws IOException {
            handle.close();
        }
    }

    private final Map<Path, Held> held = new ConcurrentHashMap<>();

    FifoHolds(Duration grace) {
        this.grace = grace;
    }

    /** Opens a holding handle on {@code fifo}; call while our reader is still open, so there is no gap. */
    void hold(Path fifo) {
        Path key = fifo.toAbsolutePath().normalize();
        Held handle;
        try {
            Object fileKey = fileKey(key);
            handle = new Held(FifoCopier.openReadWrite(key), fileKey);
        } catch (IOException e) {
            LOG.warning("cannot hold fifo " + key + " open: " + e.getMessage());
            return;
        }
        closeQuietly(held.put(key, handle));
        LogmonTimer.SCHEDULER.schedule(() -> {
            if (held.remove(key, handle)) closeQuietly(handle);
        }, grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Takes over the held handle for {@code fifo}, if any; the caller closes it. A handle on a fifo
     * that was since deleted and recreated is dropped: as keep-alive of the new one it would not
     * count as a writer, and opening the reader would block.
     */
    FileChannel claim(Path fifo) {
        Path key = fifo.toAbsolutePath().normalize();
        var h = held.remove(key);
        if (h == null) return null;
        try {
            if (h.fileKey().equals(fileKey(key))) return h.handle();
        } catch (IOException e) {
            // gone: drop it
        }
        closeQuietly(h);
        return null;
    }

    private static Object fileKey(Path path) throws IOException {
        return Files.readAttributes(path, BasicFileAttributes.class).fileKey();
    }

    /** Closes every held handle (the plugin is exiting). */
    void releaseAll() {
        held.keySet().forEach(key -> closeQuietly(held.remove(key)));
    }

    static void closeQuietly(AutoCloseable c) {
        if (c == null) return;
        try {
            c.close();
        } catch (Exception e) {
            LOG.fine("close failed: " + e);
        }
    }
}
