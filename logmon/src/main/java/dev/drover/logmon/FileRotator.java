package dev.drover.logmon;

import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Thread-safe: the copier thread writes, the timer thread flushes idle partial lines.
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

    private OutputStream out;
    private int index;
    private long size;
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

    /** Writes complete lines at once; holds back a trailing partial line (see class comment). */
    public synchronized void write(byte[] data, int off, int len) throws IOException {
        if (closed) throw new IOException("log rotator for " + base + " is closed");
        ensureOpen();
        int end = off + len;
        while (off < end) {
            int newline = indexOfNewline(data, off, end);
            int stop = newline < 0 ? end : newline + 1;
            if (longLine) {
                writeSplit(data, off, stop - off);
                longLine = newline < 0;
            } else if (newline >= 0) {
                try {
                    writeLine(data, off, stop - off);
                } finally {
                    releaseHeld(); // even on a write error: never write the same bytes twice
                }
            } else if (heldLen + (stop - off) >= maxBytes) {
                // Even without its newline the line no longer fits in a file: stream it through.
                longLine = true;
                try {
                    writeSplit(held, 0, heldLen);
                    writeSplit(data, off, stop - off);
                } finally {
                    releaseHeld();
                }
            } else {
                hold(data, off, stop - off);
            }
            off = stop;
        }
        out.flush(); // followers must see output promptly; one flush per read batch is cheap
        if (heldLen > 0 && idleCheck == null) scheduleIdleCheck(Math.max(0, heldSinceNanos + idleNanos - System.nanoTime()));
    }

    private void hold(byte[] data, int off, int len) {
        if (heldLen == 0) heldSinceNanos = System.nanoTime();
        if (heldLen + len > held.length) {
            held = java.util.Arrays.copyOf(held, (int) Math.min(maxBytes, Math.max(2L * held.length, heldLen + len)));
        }
        System.arraycopy(data, off, held, heldLen, len);
        heldLen += len;
    }

    private void releaseHeld() {
        heldLen = 0;
        if (held.length > 64 * 1024) held = new byte[SMALL_BUFFER]; // a huge partial line was a one-off
    }

    private static int indexOfNewline(byte[] data, int from, int end) {
        for (int i = from; i < end; i++) {
            if (data[i] == '\n') return i;
        }
        return -1;
    }

    /**
     * Writes the held bytes followed by {@code data[off, off+len)} as one line, starting a new file
     * rather than splitting it, unless it is longer than a whole file.
     */
    private void writeLine(byte[] data, int off, int len) throws IOException {
        long total = heldLen + (long) len;
        if (total > maxBytes) {
            writeSplit(held, 0, heldLen);
            writeSplit(data, off, len);
            return;
        }
        if (size > 0 && size + total > maxBytes) rotate();
        out.write(held, 0, heldLen);
        out.write(data, off, len);
        size += total;
    }

    /** Byte-based rotation: fill the file, rotate, continue. Rotates lazily, so no empty files. */
    private void writeSplit(byte[] data, int off, int len) throws IOException {
        while (len > 0) {
            if (size >= maxBytes) rotate();
            int n = (int) Math.min(len, maxBytes - size);
            out.write(data, off, n);
            size += n;
            off += n;
            len -= n;
        }
    }

    private void rotate() throws IOException {
        try {
            out.close();
        } finally {
            out = null;
        }
        index++;
        ensureOpen();
        purge();
    }

    /** (Re)opens the current file; after a failed open or close (disk full…) the next write retries. */
    private void ensureOpen() throws IOException {
        if (out != null) return;
        Path file = file(index);
        size = Files.exists(file) ? Files.size(file) : 0;
        out = openFile(file);
    }

    private static OutputStream openFile(Path file) throws IOException {
        // Append: a file we resume must keep its content; a new index never exists normally.
        return new BufferedOutputStream(new FileOutputStream(file.toFile(), true), 8 * 1024); // larger writes bypass it
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
            out.flush();
        } catch (IOException e) {
            LOG.warning("cannot write to " + file(index) + ": " + e.getMessage());
        }
    }

    private void flushPartial() throws IOException {
        if (heldLen == 0) return;
        try {
            ensureOpen();
            writeLine(held, 0, 0); // the held bytes alone
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
            if (out != null) out.close();
        }
    }
}
