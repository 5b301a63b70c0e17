package dev.drover.logmon;

import dev.drover.sdk.logmon.LogStats;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Writes one output stream into rotated files {@code <dir>/<base>.<N>}, the way Nomad's logmon
 * does: N only grows and files are never renamed (so {@code alloc logs -f} can follow them by
 * index), writing resumes in the highest existing file, and only the newest {@code maxFiles}
 * files are kept.
 *
 * <p>Lines are kept whole: only complete lines are written, a trailing partial line is held in
 * memory, and a line that does not fit in what is left of a non-empty file starts the next file.
 * Two exceptions, both unavoidable:
 * <ul>
 *   <li>A line longer than a whole file is split by bytes: it fills the current file, which is
 *       rotated, and so on (this is also how output without any newline gets rotated).</li>
 *   <li>A partial line held for {@link #IDLE_FLUSH} is written as it is, so prompts and progress
 *       bars show up for followers. Its rest, when it comes, is treated as a line of its own and
 *       may land in the next file: that line ends up split across files.</li>
 * </ul>
 * The delay counts from the first held byte, not from the last data: a progress bar redrawn with
 * {@code \r} every 100 ms never goes quiet for 200 ms, yet must show up. A line written in pieces
 * more than 200 ms apart gets split under either rule.
 *
 * <p>Memory: the held partial line stays below the file size (a longer one is streamed through),
 * so a stream holds at most {@code maxFileSize} bytes, and that only while its output has no
 * newline; the buffer shrinks back once written.
 *
 * <p>What was written and what was dropped (a write failed) is counted in {@link LogCounts}.
 * Thread-safe: the copier thread writes, the timer thread flushes idle partial lines.
 */
public final class FileRotator implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileRotator.class.getName());
    /** How long a partial line is held back before it is written anyway. */
    public static final Duration IDLE_FLUSH = Duration.ofMillis(200);
    private static final long MIB = 1024 * 1024;
    private static final int SMALL_BUFFER = 1024;

    private final RotatedFiles files;
    private final int maxFiles;
    private final long maxBytes;
    private final long idleNanos;
    /** The held partial line: {@code held[0, heldLen)}, always shorter than a file, never a newline in it. */
    private byte[] held = new byte[SMALL_BUFFER];
    private int heldLen;
    private long heldSinceNanos;

    private FileChannel out;
    private int index;
    private long size;
    /** Inside a line longer than a file: its bytes stream straight through until its newline. */
    private boolean longLine;
    private LogCounts counts;
    private ScheduledFuture<?> idleCheck;
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

    /** What this stream wrote and dropped so far; read without the lock (a write may block on the disk). */
    LogStats.Stream stats() {
        return counts.snapshot();
    }

    public void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    public void write(byte[] data, int off, int len) throws IOException {
        write(ByteBuffer.wrap(data, off, len));
    }

    /**
     * Writes complete lines at once and holds back a trailing partial line (see class comment);
     * consumes {@code src}. Whole runs of lines go out in one write: only the end of the last
     * complete line and, near a rotation, the line crossing the file's end are searched for.
     * When a write fails nothing is retried: what is neither written nor held is dropped.
     */
    public synchronized void write(ByteBuffer src) throws IOException {
        int start = src.position(), end = src.limit(), heldBefore = heldLen;
        long bytesBefore = counts.bytesWritten(), linesBefore = counts.linesWritten();
        try {
            if (closed) throw new IOException("log rotator for " + files.base() + " is closed");
            ensureOpen();
            while (src.hasRemaining()) {
                if (longLine) streamLongLine(src);
                else if (heldLen > 0) completeHeld(src);
                else writeLines(src);
            }
        } catch (IOException | RuntimeException e) {
            // The held bytes hold no newline: every line of src that was not written is dropped.
            counts.dropped(heldBefore + (end - start) - (counts.bytesWritten() - bytesBefore) - heldLen,
                    Newlines.count(src, start, end) - (counts.linesWritten() - linesBefore));
            src.position(end);
            throw e;
        }
        if (heldLen > 0 && idleCheck == null) scheduleIdleCheck(Math.max(0, heldSinceNanos + idleNanos - System.nanoTime()));
    }

    /** Inside a line longer than a file: stream its bytes through up to and with its newline. */
    private void streamLongLine(ByteBuffer src) throws IOException {
        int newline = Newlines.indexOf(src, src.position(), src.limit());
        writeSplit(src, newline < 0 ? src.limit() : newline + 1);
        longLine = newline < 0;
    }

    /** A partial line is held: the data either completes it, extends it or makes it longer than a file. */
    private void completeHeld(ByteBuffer src) throws IOException {
        int pos = src.position(), end = src.limit();
        // The line stays whole only while it fits in a file: its newline is not looked for any further.
        int scanEnd = (int) Math.min(end, pos + (maxBytes - heldLen));
        int newline = Newlines.indexOf(src, pos, scanEnd);
        if (newline < 0 && scanEnd == end && heldLen + (end - pos) < maxBytes) {
            hold(src, end);
            return;
        }
        try {
            if (newline >= 0) {
                writeLine(src, newline + 1);
            } else { // longer than a file: split it by bytes
                longLine = true;
                writeSplit(ByteBuffer.wrap(held, 0, heldLen), heldLen);
            }
        } finally {
            releaseHeld(); // even on a write error: never write the same bytes twice
        }
    }

    /** Nothing held: writes the complete lines that fit in the current file in one go. */
    private void writeLines(ByteBuffer src) throws IOException {
        int pos = src.position(), end = src.limit();
        int limit = (int) Math.min(end, pos + Math.max(0, maxBytes - size));
        int last = Newlines.lastIndexOf(src, pos, limit);
        if (last >= 0) {
            writeOut(src, last + 1);
            return;
        }
        // No complete line fits: the line at pos crosses the end of the file, or the data ends first.
        int newline = Newlines.indexOf(src, limit, (int) Math.min(end, pos + maxBytes));
        if (newline >= 0) {
            rotate(); // a line no longer than a file (and this one is not empty): it starts the next file
        } else if (end - pos >= maxBytes) {
            longLine = true; // no newline within a file's length: split it, filling this file first
        } else {
            hold(src, end);
        }
    }

    private void hold(ByteBuffer src, int end) {
        int len = end - src.position();
        if (heldLen == 0) heldSinceNanos = System.nanoTime();
        if (heldLen + len > held.length) {
            held = java.util.Arrays.copyOf(held, (int) Math.min(maxBytes, Math.max(2L * held.length, heldLen + len)));
        }
        src.get(held, heldLen, len);
        heldLen += len;
    }

    /** Writes the held bytes on their own and lets them go; what a failed write did not take is dropped. */
    private void writeHeld() throws IOException {
        long before = counts.bytesWritten();
        try {
            writeOut(ByteBuffer.wrap(held, 0, heldLen), heldLen);
        } catch (IOException e) {
            counts.dropped(heldLen - (counts.bytesWritten() - before), 0);
            throw e;
        } finally {
            releaseHeld();
        }
    }

    private void releaseHeld() {
        heldLen = 0;
        if (held.length > 64 * 1024) held = new byte[SMALL_BUFFER]; // a huge partial line was a one-off
    }

    /**
     * Writes the held bytes followed by {@code src} up to {@code stop} as one line no longer than a
     * file, starting a new file rather than splitting it.
     */
    private void writeLine(ByteBuffer src, int stop) throws IOException {
        long total = heldLen + (long) (stop - src.position());
        if (size > 0 && size + total > maxBytes) rotate();
        var first = ByteBuffer.wrap(held, 0, heldLen);
        int oldLimit = src.limit();
        src.limit(stop);
        try {
            var both = new ByteBuffer[] {first, src};
            while (first.hasRemaining() || src.hasRemaining()) {
                int from = src.position();
                long n = out.write(both);
                size += n;
                counts.written(n, Newlines.count(src, from, src.position()));
            }
        } finally {
            src.limit(oldLimit);
        }
    }

    /** Writes {@code src} up to {@code stop} into the current file. */
    private void writeOut(ByteBuffer src, int stop) throws IOException {
        int oldLimit = src.limit();
        src.limit(stop);
        try {
            while (src.hasRemaining()) {
                int from = src.position();
                int n = out.write(src);
                size += n;
                counts.written(n, Newlines.count(src, from, from + n));
            }
        } finally {
            src.limit(oldLimit);
        }
    }

    /** Byte-based rotation: fill the file, rotate, continue. Rotates lazily, so no empty files. */
    private void writeSplit(ByteBuffer src, int stop) throws IOException {
        while (src.position() < stop) {
            if (size >= maxBytes) rotate();
            writeOut(src, (int) Math.min(stop, src.position() + (maxBytes - size)));
        }
    }

    private void rotate() throws IOException {
        closeFile();
        index++;
        counts.save(index, 0); // before the file exists: whoever resumes counts it from its start
        ensureOpen();
        // On the timer thread: freeing a deleted file's cached pages takes milliseconds, which the
        // copy (and through the pipe, the task) need not wait for. close() purges once more.
        LogmonTimer.SCHEDULER.execute(() -> files.purge(maxFiles));
    }

    /** Closes the current file; a failure to close (disk full…) is reported after both are closed. */
    private void closeFile() throws IOException {
        try {
            if (out != null) out.close();
        } finally {
            out = null;
        }
    }

    /** (Re)opens the current file; after a failed open or close (disk full…) the next write retries. */
    private void ensureOpen() throws IOException {
        if (out != null) return;
        Path file = files.file(index);
        size = Files.exists(file) ? Files.size(file) : 0;
        out = openFile(file);
    }

    private static FileChannel openFile(Path file) throws IOException {
        // Append: a file we resume must keep its content; a new index never exists normally.
        // Unbuffered: writes are whole runs of lines, and followers see each at once.
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    private void scheduleIdleCheck(long delayNanos) {
        idleCheck = LogmonTimer.SCHEDULER.schedule(this::idleCheck, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** Runs on the timer: writes the held partial line once it has been held long enough. */
    private synchronized void idleCheck() {
        idleCheck = null;
        if (closed || heldLen == 0) return;
        long age = System.nanoTime() - heldSinceNanos;
        if (age < idleNanos) { // the line it was scheduled for completed; a newer one is held
            scheduleIdleCheck(idleNanos - age);
            return;
        }
        try {
            flushPartial();
        } catch (IOException e) {
            LOG.warning("cannot write to " + files.file(index) + ": " + e.getMessage());
        }
    }

    /** Writes the held partial line as a line of its own (dropped if the write fails). */
    private void flushPartial() throws IOException {
        if (heldLen == 0) return;
        try {
            ensureOpen();
            if (size > 0 && size + heldLen > maxBytes) rotate();
        } catch (IOException e) {
            counts.dropped(heldLen, 0);
            releaseHeld();
            throw e;
        }
        writeHeld();
    }

    /** Writes a held partial line (the stream ended, nothing will complete it) and closes the file. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) return;
        closed = true;
        if (idleCheck != null) idleCheck.cancel(false);
        try {
            flushPartial();
        } finally {
            try {
                closeFile();
            } finally {
                counts.save(index, size);
                files.purge(maxFiles);
            }
        }
    }
}
