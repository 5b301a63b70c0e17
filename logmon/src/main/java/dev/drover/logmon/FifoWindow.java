package dev.drover.logmon;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.nativ.Pipes;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The head of a fifo, seen without consuming it: a {@link #peek} duplicates what the fifo holds
 * into a private pipe with tee(2) (page references, no copy) and reads that copy, so the fifo
 * keeps every byte until {@link #moveTo} splices an exact count of them into a log file or
 * {@link #drop} discards them. Whatever happens to the process in between, a byte leaves the fifo
 * only by arriving in the file (or by being dropped on purpose).
 *
 * <p>Positions are window positions: 0 is the fifo's head at the last peek, {@link #length} what
 * it showed. Bytes {@code [0, skipped)} are a partial line the caller already scanned (no newline
 * in it); when it is long it is not read again but spliced to /dev/null out of the private pipe.
 * Moves and drops take bytes from the head in order: {@link #consumed} of them so far.
 *
 * <p>Used by one thread at a time (the copier), opened and closed by others.
 */
final class FifoWindow implements AutoCloseable {
    /** A held partial line up to this long is read again with the new bytes (cheaper than one more call). */
    static final int REREAD = 1024;
    private static final int DEV_NULL = openDevNull();

    private final int fifo;
    private final int mirrorRead;
    private final int mirrorWrite;
    private Arena arena;
    private ByteBuffer buffer;
    private MemorySegment segment;
    private int length;
    private int skipped;
    private int teeLimit;
    private int consumed;
    /** Bytes moved or dropped out of the fifo over the window's life. */
    private long total;

    /**
     * A window on {@code fifo}, a non-blocking read descriptor the caller owns; reads go through
     * a buffer of {@code capacity} bytes. The private pipe is made as large as the fifo's.
     */
    FifoWindow(int fifo, int capacity) {
        this.fifo = fifo;
        int[] mirror = Pipes.pipe();
        this.mirrorRead = mirror[0];
        this.mirrorWrite = mirror[1];
        try {
            Pipes.resizePipe(mirrorWrite, Math.max(Pipes.pipeSize(fifo), Pipes.pipeSize(mirrorWrite)));
        } catch (NativeException e) {
            // keeps the default size; the window shrinks to what it holds
        }
        resize(capacity);
    }

    /** Replaces the read buffer (a burst begins or ends). */
    void resize(int capacity) {
        if (arena != null && buffer.capacity() == capacity) return;
        var next = Arena.ofShared(); // made by the starting thread, used by the copier, freed by the stopping one
        segment = next.allocate(capacity, 4096);
        buffer = segment.asByteBuffer();
        if (arena != null) arena.close();
        arena = next;
    }

    /**
     * Makes each call of a peek and a commit once with nothing to move. The first call through
     * each foreign-function handle links it (5-10 ms each with the plugin JVMs' JIT settings):
     * better while the task starts than when its first output arrives.
     */
    void warmUp() {
        Pipes.tee(fifo, mirrorWrite, 0);
        Pipes.read(mirrorRead, segment.asSlice(0, 0));
        Pipes.splice(mirrorRead, DEV_NULL, -1, 0);
        Pipes.splice(mirrorRead, DEV_NULL, 0, 0);
        Pipes.pipeSize(fifo);
    }

    int capacity() {
        return buffer.capacity();
    }

    /**
     * Looks at the fifo's head: up to {@link #capacity} bytes beyond the {@code known} bytes of a
     * partial line the caller holds (which the fifo still has: it was never consumed).
     *
     * @return the window's length; 0 when the fifo is empty and has no writer left; -1 when it is
     *     empty for now
     */
    int peek(int known) throws IOException {
        consumed = 0;
        skipped = known > REREAD ? known : 0;
        teeLimit = skipped + buffer.capacity();
        long n = Pipes.tee(fifo, mirrorWrite, teeLimit);
        length = (int) Math.max(n, 0);
        if (n <= 0) return (int) n;
        if (n < known) { // someone else read the fifo: what we held is gone
            discard(mirrorRead, n);
            throw new IOException("the fifo lost " + (known - n) + " bytes it held: is another logmon reading it?");
        }
        discard(mirrorRead, skipped);
        for (int at = 0; at < n - skipped; ) {
            long got = Pipes.read(mirrorRead, segment.asSlice(at, n - skipped - at));
            if (got <= 0) throw new IOException("the private pipe ran short after tee");
            at += (int) got;
        }
        buffer.clear().limit((int) (n - skipped));
        return length;
    }

    int length() {
        return length;
    }

    /** True when the last peek saw all the fifo held (it stopped short of its limit). */
    boolean sawAll() {
        return length < teeLimit;
    }

    int consumed() {
        return consumed;
    }

    long total() {
        return total;
    }

    /** The first newline in {@code [from, to)}, or -1. */
    int indexOf(int from, int to) {
        int i = Newlines.indexOf(buffer, Math.max(from, skipped) - skipped, to - skipped);
        return i < 0 ? -1 : i + skipped;
    }

    /** The last newline in {@code [from, to)}, or -1. */
    int lastIndexOf(int from, int to) {
        int i = Newlines.lastIndexOf(buffer, Math.max(from, skipped) - skipped, to - skipped);
        return i < 0 ? -1 : i + skipped;
    }

    long newlines(int from, int to) {
        from = Math.max(from, skipped);
        return from >= to ? 0 : Newlines.count(buffer, from - skipped, to - skipped);
    }

    /**
     * Splices up to {@code len} bytes from the fifo's head into {@code file} at {@code offset};
     * consumed from the fifo exactly as far as the file took them.
     *
     * @return the bytes moved (at least 1)
     * @throws NativeException when the file refuses them (ENOSPC, EIO…)
     */
    long moveTo(int file, long offset, long len) throws IOException {
        long n = Pipes.splice(fifo, file, offset, len);
        if (n <= 0) throw new IOException("the fifo ran short of bytes it showed: is another logmon reading it?");
        consumed += (int) n;
        total += n;
        return n;
    }

    /** Consumes {@code len} bytes from the fifo's head into /dev/null (output that cannot be written). */
    void drop(long len) throws IOException {
        discard(fifo, len);
        consumed += (int) len;
        total += len;
    }

    private static void discard(int pipe, long len) throws IOException {
        while (len > 0) {
            long n = Pipes.splice(pipe, DEV_NULL, -1, len);
            if (n <= 0) throw new IOException("a pipe ran short of " + len + " bytes it held");
            len -= n;
        }
    }

    /**
     * Sizes the private pipe for a fifo about to get {@code bytes} of capacity, so one tee can
     * still take all the fifo holds; it is empty between peeks, so shrinking works too.
     *
     * @throws NativeException when the kernel refuses (EPERM beyond pipe-max-size)
     */
    void sizeMirror(int bytes) {
        if (Pipes.pipeSize(mirrorWrite) != bytes) Pipes.resizePipe(mirrorWrite, bytes);
    }

    @Override
    public void close() {
        closeQuietly(mirrorRead);
        closeQuietly(mirrorWrite);
        if (arena != null) arena.close();
        arena = null;
    }

    static void closeQuietly(int fd) {
        if (fd < 0) return;
        try {
            Native.close(fd);
        } catch (NativeException e) {
            // nothing to do about a failed close
        }
    }

    /** One /dev/null for the process: splicing into it only counts bytes, so sharing it is safe. */
    private static int openDevNull() {
        return Pipes.open(Path.of("/dev/null"), Pipes.O_WRONLY | Pipes.O_CLOEXEC, 0);
    }
}
