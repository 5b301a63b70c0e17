package dev.drover.logmon;

import dev.drover.sdk.nativ.Native;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Copies one fifo into a {@link FileRotator} on a platform thread doing blocking reads.
 *
 * <p>The fifo is opened twice: a keep-alive read-write handle (O_RDWR on a fifo never blocks on
 * Linux and counts as both a reader and a writer) and then the reading stream (which does not
 * block because a writer now exists). The keep-alive is {@link #openReadWrite}, the equivalent of
 * {@code new RandomAccessFile(fifo, "rw")} minus O_CREAT: a fifo deleted meanwhile must not turn
 * into a regular file. Thanks to the keep-alive, the task's writers
 * never get SIGPIPE and our reader never sees EOF while the copy lives, across task restarts.
 *
 * <p>Stopping closes the keep-alive, so the reader sees EOF as soon as the task's writers are gone,
 * after everything they wrote has been copied. If a writer (an orphaned grandchild) still holds the
 * fifo, the copy ends anyway: what is in the pipe is drained briefly, then the read is cut off by
 * closing the channel (an interruptible {@link FileChannel}: closing it wakes a blocked read).
 *
 * <p>The fifo itself is never deleted here: the task's executor (or an orphan) may still hold or
 * reopen it, and a later copier of the same session must open the very same inode the writers use;
 * a recreated fifo would leave them writing into a pipe nobody reads. The alloc dir GC removes it.
 */
final class FifoCopier {
    private static final Logger LOG = Logger.getLogger(FifoCopier.class.getName());
    /** After the EOF wait: how long a still-held fifo is drained before the read is cut off. */
    private static final long DRAIN_MILLIS = 200;

    private final Path fifo;
    private final FileRotator rotator;
    private final FileChannel keepAlive;
    private final FileInputStream in;
    private final FileChannel channel;
    private final Thread thread;
    private volatile boolean stopRequested;
    private volatile boolean sawEof;
    private volatile long bytesCopied;
    private boolean writeFailed;

    private FifoCopier(Path fifo, FileRotator rotator, FileChannel keepAlive, FileInputStream in, String name) {
        this.fifo = fifo;
        this.rotator = rotator;
        this.keepAlive = keepAlive;
        this.in = in;
        this.channel = in.getChannel();
        this.thread = Thread.ofPlatform().daemon().name("logmon-copy-" + name).unstarted(this::copy);
    }

    /**
     * Creates the fifo if missing and opens it for reading; returns once it is open, so a writer can
     * open it right away without blocking. A handle parked in {@code holds} becomes the keep-alive.
     */
    static FifoCopier start(Path fifo, FileRotator rotator, FifoHolds holds, String name) throws IOException {
        if (fifo.getParent() != null) Files.createDirectories(fifo.getParent());
        Native.mkfifo(fifo, 0600);
        FileChannel keepAlive = holds.claim(fifo);
        if (keepAlive == null) keepAlive = openReadWrite(fifo);
        FileInputStream in;
        try {
            in = new FileInputStream(fifo.toFile());
        } catch (IOException e) {
            FifoHolds.closeQuietly(keepAlive);
            throw e;
        }
        var copier = new FifoCopier(fifo, rotator, keepAlive, in, name);
        copier.thread.start();
        return copier;
    }

    /** O_RDWR without O_CREAT. */
    static FileChannel openReadWrite(Path fifo) throws IOException {
        return FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Idle tasks are the common case: a small buffer each. Once a read fills it, output floods in:
     * the fifo's pipe is grown, so the task's writer can run ahead of us by a few of our reads
     * (the kernel holds pages only for data waiting in a pipe, so this costs nothing once
     * drained), and a large buffer takes over until the burst is over. Not larger: a read must
     * fit the CPU's cache together with the pipe pages it comes from, else writing it out and
     * counting its lines read it from memory again (1 MiB reads from a 1 MiB pipe cost twice the
     * CPU of 128 KiB reads from a 256 KiB one, docs/performance.md). Buffers are direct, so reads
     * and writes need no copy through a temporary direct buffer (which the shared host does not
     * cache above 16 KiB); the large one is freed as soon as the burst ends.
     *
     * <p>Why read(2) + write(2) and not splice(2) from the fifo into the file: a splice holds the
     * pipe's lock while the file system takes the data, and the task's writer spins on that lock
     * meanwhile (perf: more CPU in the writer's mutex spinning than in its own copying); and lines
     * are counted, so the bytes must be read anyway (docs/performance.md).
     */
    static final int SMALL_READ = 8 * 1024;
    static final int LARGE_READ = 128 * 1024;
    /** What the fifo's pipe is grown to for a burst. */
    static final int PIPE_SIZE = 256 * 1024;
    /** A burst is over once no read filled the small buffer for this long. */
    private static final long BURST_END_NANOS = TimeUnit.SECONDS.toNanos(1);

    private void copy() {
        var small = ByteBuffer.allocateDirect(SMALL_READ);
        var buffer = small;
        Arena large = null;
        boolean grown = false;
        long lastBusy = 0;
        try {
            while (!(stopRequested && in.available() == 0)) {
                buffer.clear();
                int n = channel.read(buffer);
                if (n < 0) {
                    sawEof = true;
                    return;
                }
                buffer.flip();
                deliver(buffer, n);
                if (n >= SMALL_READ) lastBusy = System.nanoTime();
                if (n >= SMALL_READ && large == null) { // more is waiting
                    if (!grown) growPipe();
                    grown = true;
                    large = Arena.ofConfined();
                    buffer = large.allocate(LARGE_READ, 4096).asByteBuffer();
                } else if (large != null && n < SMALL_READ && System.nanoTime() - lastBusy > BURST_END_NANOS) {
                    large.close();
                    large = null;
                    buffer = small;
                }
            }
        } catch (ClosedChannelException e) {
            // stop cut the read off: a writer still held the fifo
        } catch (IOException e) {
            LOG.warning("reading " + fifo + " failed: " + e.getMessage());
        } finally {
            if (large != null) large.close();
        }
    }

    private void growPipe() {
        try {
            Native.growPipe(fifo, PIPE_SIZE);
        } catch (RuntimeException | LinkageError e) {
            LOG.fine("cannot grow the pipe of " + fifo + ": " + e);
        }
    }

    private void deliver(ByteBuffer data, int n) {
        bytesCopied += n; // only this thread writes it
        try {
            rotator.write(data);
            writeFailed = false;
        } catch (IOException | RuntimeException e) {
            // Keep reading and drop the output (the rotator counts it): a stalled reader would block
            // the task on a full pipe.
            if (!writeFailed) LOG.warning("dropping output of " + fifo + ": " + e);
            writeFailed = true;
        }
    }

    boolean isRunning() {
        return thread.isAlive();
    }

    long bytesCopied() {
        return bytesCopied;
    }

    Path fifo() {
        return fifo;
    }

    /** First stop step: drop our own writer end, so EOF comes once the task's writers are gone. */
    void beginStop() {
        FifoHolds.closeQuietly(keepAlive);
    }

    /**
     * Waits for EOF until {@code deadlineNanos}; if a writer still holds the fifo, parks a holding
     * handle in {@code holds} (before our reader closes, so there is no reader-less gap), drains
     * briefly and cuts the read off. Returns true when the copy ended on EOF.
     */
    boolean finishStop(long deadlineNanos, FifoHolds holds) {
        join(Math.max(0, deadlineNanos - System.nanoTime()));
        if (thread.isAlive()) {
            holds.hold(fifo);
            stopRequested = true;
            join(TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
            FifoHolds.closeQuietly(channel); // wakes a read blocked on an empty pipe
            join(TimeUnit.SECONDS.toNanos(5));
            if (thread.isAlive()) LOG.warning("copy thread of " + fifo + " did not end");
        }
        FifoHolds.closeQuietly(in);
        return sawEof;
    }

    private void join(long nanos) {
        try {
            thread.join(java.time.Duration.ofNanos(Math.max(nanos, 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
