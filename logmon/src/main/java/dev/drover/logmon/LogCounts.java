package dev.drover.logmon;

import dev.drover.sdk.logmon.LogStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.logging.Logger;

/**
 * One stream's counters: what its {@link FileRotator} wrote into the log files and what it read
 * but dropped because a write failed. Updated under the rotator's lock, read from any thread.
 *
 * <p>The counters outlive the logmon process: a checkpoint {@code .<base>.counts} next to the
 * files holds them together with the file index and size they were taken at, written when a file
 * is opened (rotation included) and when the stream closes. A logmon that takes the stream over —
 * after a kill -9, or as the shared host's replacement — adds what the files hold beyond that
 * point, so the written counters stay exact. Drops since a dead logmon's last checkpoint are lost
 * with it (they are in no file). Without a checkpoint (the stream's first start), whatever files
 * exist are counted once.
 */
final class LogCounts {
    private static final Logger LOG = Logger.getLogger(LogCounts.class.getName());

    /** The file a checkpoint was taken at: counters cover its first {@code offset} bytes. */
    private record Checkpoint(int index, long offset, long bytesWritten, long linesWritten, long bytesDropped, long linesDropped) {}

    private static final String MAGIC = "drover-log-counts-v1";
    private final Path checkpoint;
    private volatile long bytesWritten, linesWritten, bytesDropped, linesDropped;

    private LogCounts(Path checkpoint) {
        this.checkpoint = checkpoint;
    }

    /**
     * Loads the stream's checkpoint and catches up with the files {@code <base>.<from>…<current>}
     * written after it; {@code file} names a file by index.
     */
    static LogCounts resume(Path dir, String base, int lowest, int current, java.util.function.IntFunction<Path> file) {
        var counts = new LogCounts(dir.resolve("." + base + ".counts"));
        var cp = counts.load();
        int from = cp == null ? lowest : cp.index();
        long offset = cp == null ? 0 : cp.offset();
        if (cp != null) {
            counts.bytesWritten = cp.bytesWritten();
            counts.linesWritten = cp.linesWritten();
            counts.bytesDropped = cp.bytesDropped();
            counts.linesDropped = cp.linesDropped();
        }
        for (int i = from; i <= current; i++) {
            counts.catchUp(file.apply(i), i == from ? offset : 0);
        }
        return counts;
    }

    private Checkpoint load() {
        if (!Files.exists(checkpoint)) return null;
        try {
            String[] f = Files.readString(checkpoint, StandardCharsets.US_ASCII).strip().split(" ");
            if (f.length != 7 || !f[0].equals(MAGIC)) throw new IOException("not a log counters checkpoint");
            return new Checkpoint(Integer.parseInt(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4]),
                    Long.parseLong(f[5]), Long.parseLong(f[6]));
        } catch (IOException | RuntimeException e) {
            LOG.warning("ignoring unreadable log checkpoint " + checkpoint + ": " + e.getMessage());
            return null;
        }
    }

    /** Counts what {@code file} holds from {@code offset} on (written by a logmon that died). */
    private void catchUp(Path file, long offset) {
        if (!Files.exists(file)) return;
        var buffer = ByteBuffer.allocateDirect(64 * 1024);
        try (var in = FileChannel.open(file, StandardOpenOption.READ)) {
            long at = offset;
            for (int n; (n = in.read(buffer.clear(), at)) > 0; at += n) {
                bytesWritten += n;
                linesWritten += Newlines.count(buffer, 0, n);
            }
        } catch (IOException e) {
            LOG.warning("cannot count the lines of " + file + ": " + e.getMessage());
        }
    }

    /**
     * Saves the counters as of byte {@code offset} of file {@code index}; best effort. One small
     * write at offset 0 of a record that always has the same length: a process dying cannot tear
     * it, and no file is created per save (a new inode per rotation shows in a flood's profile).
     */
    void save(int index, long offset) {
        String record = "%s %010d %020d %020d %020d %020d %020d\n".formatted(MAGIC, index, offset, bytesWritten, linesWritten,
                bytesDropped, linesDropped);
        try (var out = FileChannel.open(checkpoint, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.write(ByteBuffer.wrap(record.getBytes(StandardCharsets.US_ASCII)), 0);
        } catch (IOException e) {
            LOG.warning("cannot save log counters to " + checkpoint + ": " + e.getMessage());
        }
    }

    void written(long bytes, long lines) {
        bytesWritten += bytes;
        linesWritten += lines;
    }

    void dropped(long bytes, long lines) {
        bytesDropped += bytes;
        linesDropped += lines;
    }

    long bytesWritten() {
        return bytesWritten;
    }

    long linesWritten() {
        return linesWritten;
    }

    LogStats.Stream snapshot() {
        return new LogStats.Stream(bytesWritten, linesWritten, bytesDropped, linesDropped);
    }
}
