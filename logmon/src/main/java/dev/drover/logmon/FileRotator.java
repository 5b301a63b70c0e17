package dev.drover.logmon;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
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
 * Thread-safe: the copier thread writes (or splices, see {@link #splice}), the timer thread
 * flushes idle partial lines.
 */
public final class FileRotator implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FileRotator.class.getName());
    /** How long a partial line is held back before it is written anyway. */
    public static final Duration IDLE_FLUSH = Duration.ofMillis(200);
    private static final long MIB = 1024 * 1024;
    private static final int SMALL_BUFFER = 1024;

    private final Path dir;
    private final String base;
    private final int maxFiles;
    private final long maxBytes;
    private final long idleNanos;
    /** The held partial line: {@code held[0, heldLen)}, always shorter than a file. */
    private byte[] held = new byte[SMALL_BUFFER];
    private int heldLen;
    private long heldSinceNanos;

    private FileChannel out;
    private int index;
    private long size;
    /** The current file for {@link #splice}, opened on first use; -1 when not open. */
    private int spliceFd = -1;
    /** Inside a line longer than a file: its bytes stream straight through until its newline. */
    private boolean longLine;
    private ScheduledFuture<?> idleCheck;
    private boolean closed;

    private FileRotator(Path dir, String base, int maxFiles, long maxBytes, Duration idleFlush) {
        if (base == null || base.isBlank() || base.contains("/")) throw new IllegalArgumentException("bad log file base: " + base);
        if (maxFiles < 1 || maxBytes < 1) throw new IllegalArgumentException("maxFiles and the file size must be positive");
        this.dir = dir;
        this.base = base;
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
        Files.createDirectories(dir);
        index = indexes().stream().mapToInt(Integer::intValue).max().orElse(0);
        ensureOpen();
        purge(); // max_files may have shrunk since the last run
    }

    /** Index of the file being written. */
    public synchronized int currentIndex() {
        return index;
    }

    public Path file(int n) {
        return dir.resolve(base + "." + n);
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
     */
    public synchronized void write(ByteBuffer src) throws IOException {
        if (closed) throw new IOException("log rotator for " + base + " is closed");
        ensureOpen();
        while (src.hasRemaining()) {
            if (longLine) streamLongLine(src);
            else if (heldLen > 0) completeHeld(src);
            else writeLines(src);
        }
        if (heldLen > 0 && idleCheck == null) scheduleIdleCheck(Math.max(0, heldSinceNanos + idleNanos - System.nanoTime()));
    }

    /** Inside a line longer than a file: stream its bytes through up to and with its newline. */
    private void streamLongLine(ByteBuffer src) throws IOException {
        int newline = indexOfNewline(src, src.position(), src.limit());
        writeSplit(src, newline < 0 ? src.limit() : newline + 1);
        longLine = newline < 0;
    }

    /** A partial line is held: the data either completes it, extends it or makes it longer than a file. */
    private void completeHeld(ByteBuffer src) throws IOException {
        int pos = src.position(), end = src.limit();
        // The line stays whole only while it fits in a file: its newline is not looked for any further.
        int scanEnd = (int) Math.min(end, pos + (maxBytes - heldLen));
        int newline = indexOfNewline(src, pos, scanEnd);
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
        int last = lastIndexOfNewline(src, pos, limit);
        if (last >= 0) {
            writeOut(src, last + 1);
            return;
        }
        // No complete line fits: the line at pos crosses the end of the file, or the data ends first.
        int newline = indexOfNewline(src, limit, (int) Math.min(end, pos + maxBytes));
        if (newline >= 0) {
            rotate(); // a line no longer than a file (and this one is not empty): it starts the next file
        } else if (end - pos >= maxBytes) {
            longLine = true; // no newline within a file's length: split it, filling this file first
        } else {
            hold(src, end);
        }
    }

    /**
     * The zero-copy path of an output flood: moves complete lines from the tap's pipe into the
     * current file, by the same rules as {@link #write}. Returns how many bytes it took from the
     * pipe; 0 when {@code write} must take the next bytes (a line longer than the peek window, only
     * a partial line, a long line being split); -1 when the pipe is empty.
     */
    synchronized long splice(PipeTap tap) throws IOException {
        if (closed || longLine) return 0;
        ensureOpen();
        int n = tap.tee();
        if (n == 0) return -1;
        var peeked = tap.peeked();
        try {
            if (heldLen > 0) { // complete the held line first: its end is near the pipe's head
                int newline = indexOfNewline(peeked, 0, tap.peek(0, Math.min(n, PipeTap.PEEK)));
                long total = heldLen + newline + 1L;
                if (newline < 0 || total > maxBytes) return 0;
                if (size > 0 && size + total > maxBytes) rotate();
                try {
                    writeOut(ByteBuffer.wrap(held, 0, heldLen), heldLen);
                } finally {
                    releaseHeld();
                }
                return moveToFile(tap, newline + 1);
            }
            if (size >= maxBytes) rotate(); // whatever comes next, a line or a long line's piece, goes to the next file
            // The lines that fit: up to the last newline before the end of the file (or of the data).
            int fit = (int) Math.min(n, maxBytes - size);
            int from = Math.max(0, fit - PipeTap.PEEK);
            // A window that starts at the head also shows how far the first line goes past the file's end.
            int seen = tap.peek(from, from == 0 ? Math.min(n, PipeTap.PEEK) : fit);
            int last = lastIndexOfNewline(peeked, 0, fit - from);
            if (last >= 0) return moveToFile(tap, from + last + 1);
            int newline = from == 0 ? indexOfNewline(peeked, fit, seen) : -1;
            if (newline < 0 || newline + 1 > maxBytes) return 0; // unknown end, or a line longer than a file
            rotate(); // the first line does not fit in what is left (so the file is not empty): it starts the next
            return moveToFile(tap, newline + 1);
        } catch (IOException e) {
            try {
                closeFile(); // what reached the file is unknown: the next write learns its size anew
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private long moveToFile(PipeTap tap, int len) throws IOException {
        if (spliceFd < 0) spliceFd = PipeTap.openFile(file(index));
        tap.moveTo(spliceFd, size, len);
        size += len;
        return len;
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

    private void releaseHeld() {
        heldLen = 0;
        if (held.length > 64 * 1024) held = new byte[SMALL_BUFFER]; // a huge partial line was a one-off
    }

    private static int indexOfNewline(ByteBuffer b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
    }

    private static int lastIndexOfNewline(ByteBuffer b, int from, int end) {
        for (int i = end - 1; i >= from; i--) {
            if (b.get(i) == '\n') return i;
        }
        return -1;
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
            while (first.hasRemaining() || src.hasRemaining()) out.write(both);
        } finally {
            src.limit(oldLimit);
        }
        size += total;
    }

    /** Writes {@code src} up to {@code stop} into the current file. */
    private void writeOut(ByteBuffer src, int stop) throws IOException {
        int oldLimit = src.limit();
        size += stop - src.position();
        src.limit(stop);
        try {
            while (src.hasRemaining()) out.write(src);
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
        ensureOpen();
        purge();
    }

    /** Closes the current file; a failure to close (disk full…) is reported after both are closed. */
    private void closeFile() throws IOException {
        PipeTap.closeQuietly(spliceFd);
        spliceFd = -1;
        try {
            if (out != null) out.close();
        } finally {
            out = null;
        }
    }

    /** (Re)opens the current file; after a failed open or close (disk full…) the next write retries. */
    private void ensureOpen() throws IOException {
        if (out != null) return;
        Path file = file(index);
        size = Files.exists(file) ? Files.size(file) : 0;
        out = openFile(file);
    }

    private static FileChannel openFile(Path file) throws IOException {
        // Append: a file we resume must keep its content; a new index never exists normally.
        // Unbuffered: writes are whole runs of lines, and followers see each at once.
        return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    /** Keeps the newest {@code maxFiles} files: deletes the lowest indexes. */
    private void purge() {
        List<Integer> all;
        try {
            all = indexes();
        } catch (IOException e) {
            LOG.warning("cannot list " + dir + " to purge old " + base + " files: " + e.getMessage());
            return;
        }
        all.sort(null);
        for (int i = 0; i < all.size() - maxFiles; i++) {
            try {
                Files.deleteIfExists(file(all.get(i)));
            } catch (IOException e) {
                LOG.warning("cannot delete old log file " + file(all.get(i)) + ": " + e.getMessage());
            }
        }
    }

    /** Indexes of {@code <base>.<N>} files; names with a non-numeric suffix are not ours. */
    private List<Integer> indexes() throws IOException {
        var result = new ArrayList<Integer>();
        String prefix = base + ".";
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix)) parseIndex(name.substring(prefix.length())).ifPresent(result::add);
            }
        }
        return result;
    }

    private static OptionalInt parseIndex(String suffix) {
        if (suffix.isEmpty() || suffix.length() > 9 || !suffix.chars().allMatch(c -> c >= '0' && c <= '9')) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(suffix));
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
            LOG.warning("cannot write to " + file(index) + ": " + e.getMessage());
        }
    }

    private void flushPartial() throws IOException {
        if (heldLen == 0) return;
        try {
            ensureOpen();
            writeLine(ByteBuffer.allocate(0), 0); // the held bytes alone
        } finally {
            releaseHeld();
        }
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
            closeFile();
        }
    }
}
