package dev.drover.logmon;

import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.nativ.Pipes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Moves one output stream from its fifo into rotated files {@code <dir>/<base>.<N>}, the way
 * Nomad's logmon does: N only grows and files are never renamed (so {@code alloc logs -f} can
 * follow them by index), writing resumes in the highest existing file, and only the newest
 * {@code maxFiles} files are kept.
 *
 * <p>Lines are kept whole: only complete lines are committed, a trailing partial line stays in
 * the fifo (see {@link FifoWindow}: it is looked at, not consumed), and a line that does not fit
 * in what is left of a non-empty file starts the next file. Exceptions, all unavoidable:
 * <ul>
 *   <li>A line longer than a whole file is split by bytes: it fills the current file, which is
 *       rotated, and so on (this is also how output without any newline gets rotated).</li>
 *   <li>A partial line held for {@link #IDLE_FLUSH} is written as it is ({@link Drain#FLUSH}),
 *       so prompts and progress bars show up for followers. Its rest, when it comes, is treated
 *       as a line of its own and may land in the next file: that line ends up split across files.</li>
 *   <li>A partial line that fills the fifo's pipe, when the pipe cannot grow to hold a whole file
 *       ({@link FifoCopier}: pipes stop at 1 MiB, {@code /proc/sys/fs/pipe-max-size}, without
 *       CAP_SYS_RESOURCE), cannot wait for its newline: it starts the next file (unless the
 *       current one is empty) and streams through ({@link Drain#SPLIT}). It stays whole if no
 *       longer than a file; only the file before it may end shorter than it could have.</li>
 * </ul>
 * The delay counts from the first held byte, not from the last data: a progress bar redrawn with
 * {@code \r} every 100 ms never goes quiet for 200 ms, yet must show up. A line written in pieces
 * more than 200 ms apart gets split under either rule.
 *
 * <p>Bytes go from the fifo into the file with splice(2) at the file's size as explicit offset:
 * the fifo gives up exactly what the file took, so a logmon killed at any moment loses and
 * repeats nothing, and its successor resumes at the file's size. What was written and what was
 * dropped (a write failed: dropped bytes are consumed, so the task never blocks on a full disk)
 * is counted in {@link LogCounts}. Used by the copier thread; {@link #stats} from any thread.
 */
public final class FileRotator implements AutoCloseable {
    /** How long a partial line is held back before it is written anyway. */
    public static final Duration IDLE_FLUSH = Duration.ofMillis(200);
    private static final long MIB = 1024 * 1024;

    /** What to do with a partial line at the end of the window. */
    enum Drain {
        /** Keep it in the fifo until its newline comes. */
        HOLD,
        /** Write it as a line of its own (idle, end of the stream, stop). */
        FLUSH,
        /** It fills the fifo's pipe: start the next file with it and stream it through as it comes. */
        SPLIT
    }

    private final RotatedFiles files;
    private final int maxFiles;
    private final long maxBytes;
    private final long idleNanos;

    private int fd = -1;
    private int index;
    private long size;
    /** Inside a line longer than a file: its bytes stream straight through until its newline. */
    private boolean longLine;
    /** The partial line held at the fifo's head: always shorter than a file, never a newline in it. */
    private int held;
    private long heldSinceNanos;
    private LogCounts counts;
    private boolean closed;

    private FileRotator(Path dir, String base, int maxFiles, long maxBytes, Duration idleFlush) {
        if (maxFiles < 1 || maxBytes < 1) throw new IllegalArgumentException("maxFiles and the file size must be positive");
        this.files = new RotatedFiles(dir, base);
        this.maxFiles = maxFiles;
        this.maxBytes = maxBytes;
        this.idleNanos = idleFlush.toNanos();
    }

    /** Opens the rotator for {@code <dir>/<base>.N}, files of {@code maxFileSizeMB} MiB. */
    public static FileRotator open(Path dir, String base, int maxFiles, int maxFileSizeMB) throws IOException {
        return open(dir, base, maxFiles, maxFileSizeMB * MIB, IDLE_FLUSH);
    }

    /** As {@link #open(Path, String, int, int)} with the file size in bytes (tests use tiny files). */
    static FileRotator open(Path dir, String base, int maxFiles, long maxFileBytes, Duration idleFlush) throws IOException {
        var rotator = new FileRotator(dir, base, maxFiles, maxFileBytes, idleFlush);
        rotator.openInitial();
        return rotator;
    }

    private void openInitial() throws IOException {
        Files.createDirectories(files.dir());
        var existing = files.indexes();
        index = existing.isEmpty() ? 0 : existing.getLast();
        ensureOpen();
        // Before the purge: a predecessor's last lines may sit in files that max_files now drops.
        counts = LogCounts.resume(files.dir(), files.base(), existing.isEmpty() ? 0 : existing.getFirst(), index, files::file);
        counts.save(index, size);
        files.purge(maxFiles); // max_files may have shrunk since the last run
    }

    /** Index of the file being written. */
    public synchronized int currentIndex() {
        return index;
    }

    public Path file(int n) {
        return files.file(n);
    }

    long maxFileBytes() {
        return maxBytes;
    }

    /** What this stream wrote and dropped so far; read without the lock (a write may block on the disk). */
    LogStats.Stream stats() {
        return counts.snapshot();
    }

    /** Bytes of the partial line held at the fifo's head (0: none). */
    synchronized int held() {
        return held;
    }

    /** When the held partial line is due to be written ({@link System#nanoTime} scale). */
    synchronized long flushDueNanos() {
        return heldSinceNanos + idleNanos;
    }

    /** Forgets the held partial line: the fifo no longer has it (another reader took it). */
    synchronized void forgetHeld() {
        held = 0;
    }

    /**
     * Commits what the window shows: complete lines at once (whole runs of lines in one splice:
     * only the last newline that fits the file and, near a rotation, the line crossing the file's
     * end are searched for), and the partial line at its end as {@code partial} says. When a
     * write fails, what it did not take is dropped and counted, the rest goes on, and the first
     * failure is thrown at the end.
     */
    synchronized void drain(FifoWindow w, Drain partial) throws IOException {
        if (closed) throw new IOException("log rotator for " + files.base() + " is closed");
        int end = w.length(), pos = 0;
        IOException failure = null;
        while (pos < end) {
            if (longLine) {
                int newline = w.indexOf(pos, end);
                int stop = newline < 0 ? end : newline + 1;
                failure = first(failure, writeSplit(w, pos, stop));
                pos = stop;
                longLine = newline < 0;
                continue;
            }
            int limit = (int) Math.min(end, pos + Math.max(0, maxBytes - size));
            int last = w.lastIndexOf(pos, limit);
            if (last >= 0) {
                failure = first(failure, commit(w, pos, last + 1));
                pos = last + 1;
                continue;
            }
            // No complete line fits: the line at pos crosses the end of the file, or the window ends first.
            int newline = w.indexOf(limit, (int) Math.min(end, pos + maxBytes));
            if (newline >= 0) {
                failure = first(failure, rotate()); // a line no longer than a file (and this one is not empty): it starts the next file
            } else if (end - pos >= maxBytes) {
                longLine = true; // no newline within a file's length: split it, filling this file first
            } else if (partial == Drain.SPLIT) {
                // Its length is unknown: it starts the next file, so it stays whole if no longer than one.
                if (size > 0) failure = first(failure, rotate());
                longLine = true;
            } else {
                break;
            }
        }
        if (pos < end && partial == Drain.FLUSH) {
            // A line of its own, no longer than a file: it starts the next file if it does not fit.
            if (size > 0 && size + (end - pos) > maxBytes) failure = first(failure, rotate());
            failure = first(failure, commit(w, pos, end));
            pos = end;
        }
        if (pos == end) {
            held = 0;
        } else {
            if (held == 0 || pos > 0) heldSinceNanos = System.nanoTime(); // a new partial line
            held = end - pos;
        }
        if (failure != null) throw failure;
    }

    private static IOException first(IOException failure, IOException next) {
        return failure != null ? failure : next;
    }

    /** Byte-based rotation: fill the file, rotate, continue. Rotates lazily, so no empty files. */
    private IOException writeSplit(FifoWindow w, int from, int stop) {
        IOException failure = null;
        for (int pos = from; pos < stop; ) {
            if (size >= maxBytes) failure = first(failure, rotate());
            int n = (int) Math.min(stop - pos, Math.max(1, maxBytes - size));
            failure = first(failure, commit(w, pos, pos + n));
            pos += n;
        }
        return failure;
    }

    /**
     * Splices window bytes {@code [from, to)} (the fifo's head) into the current file. What a
     * failing write does not take is dropped from the fifo and counted; the failure is returned.
     */
    private IOException commit(FifoWindow w, int from, int to) {
        if (w.consumed() != from) throw new IllegalStateException("commit at " + from + ", the fifo's head is at " + w.consumed());
        long len = to - from, moved = 0;
        try {
            ensureOpen();
            while (moved < len) {
                long n = w.moveTo(fd, size, len - moved);
                size += n;
                moved += n;
            }
            counts.written(len, w.newlines(from, to));
            return null;
        } catch (IOException | NativeException e) {
            long lines = w.newlines(from, from + (int) moved);
            counts.written(moved, lines);
            try {
                w.drop(len - moved);
                counts.dropped(len - moved, w.newlines(from + (int) moved, to));
            } catch (IOException | NativeException dropFailed) {
                throw new IllegalStateException("cannot drop unwritable output from the fifo", dropFailed);
            }
            return e instanceof IOException io ? io : new IOException("cannot write to " + files.file(index) + ": " + e.getMessage(), e);
        }
    }

    private IOException rotate() {
        closeFile();
        index++;
        size = 0;
        counts.save(index, 0); // before the file exists: whoever resumes counts it from its start
        // On the timer thread: freeing a deleted file's cached pages takes milliseconds, which the
        // copy (and through the pipe, the task) need not wait for. close() purges once more.
        LogmonTimer.SCHEDULER.execute(() -> files.purge(maxFiles));
        try {
            ensureOpen();
            return null;
        } catch (IOException e) {
            return e; // the next commit retries the open, and drops what it cannot write
        }
    }

    private void closeFile() {
        if (fd < 0) return;
        FifoWindow.closeQuietly(fd); // nothing is buffered: a failed close loses nothing
        fd = -1;
    }

    /**
     * (Re)opens the current file, resuming at its size; after a failed open (disk full…) the next
     * commit retries. Not O_APPEND: splice writes at an explicit offset, and refuses append-only files.
     */
    private void ensureOpen() throws IOException {
        if (fd >= 0) return;
        Path file = files.file(index);
        try {
            int opened = Pipes.open(file, Pipes.O_WRONLY | Pipes.O_CREAT | Pipes.O_CLOEXEC, 0644);
            try {
                size = Files.size(file);
            } catch (IOException e) {
                Native.close(opened);
                throw e;
            }
            fd = opened;
        } catch (NativeException e) {
            throw new IOException("cannot open " + file + ": " + e.getMessage(), e);
        }
    }

    /** Closes the file (the copier wrote the last partial line at the end of its stream). */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        closeFile();
        counts.save(index, size);
        files.purge(maxFiles);
    }
}
