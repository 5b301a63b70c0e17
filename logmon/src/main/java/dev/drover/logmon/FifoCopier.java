package dev.drover.logmon;

import dev.drover.logmon.FileRotator.Drain;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.nativ.Pipes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Copies one fifo into a {@link FileRotator} on a platform thread, kill-safe: the fifo is peeked
 * at, never read ({@link FifoWindow}), and bytes leave it only by being spliced into the log file.
 * A logmon killed at any moment (or the shared host serving it) leaves every byte it had not
 * written in the fifo, where the task's own read-write end keeps it, and its successor copies it.
 *
 * <p>The fifo is opened three ways: our non-blocking reader first, then a fresh keep-alive
 * read-write handle (O_RDWR on a fifo never blocks on Linux and counts as both a reader and a
 * writer), then a handle parked in {@link FifoHolds} by an earlier copier is let go. Thanks to the
 * keep-alive the task's writers never get SIGPIPE while the copy lives, across task restarts. The
 * order matters: poll reports "no writers left" only to a reader opened before the last writer
 * came, and a partial line must be written once the writers are gone.
 *
 * <p>Waiting is edge-triggered epoll on the fifo: it wakes on writes, so a partial line waiting
 * at the fifo's head (always "readable") costs no spinning, and a line completed while we wait is
 * taken at once. A wait holding a partial line lasts at most {@link #BACKSTOP_MILLIS} (and ends
 * at the idle flush, {@link FileRotator#IDLE_FLUSH}); a wait on an empty fifo until a write.
 *
 * <p>Stopping closes the keep-alive, so the copy ends at EOF as soon as the task's writers are
 * gone, after everything they wrote has been copied. If a writer (an orphaned grandchild) still
 * holds the fifo, the copy ends anyway: what is in the pipe is drained briefly, then the copy is
 * cut off (woken through {@link #BELL}); what is left stays in the fifo for a parked hold.
 *
 * <p>The fifo itself is never deleted here: the task's executor (or an orphan) may still hold or
 * reopen it, and a later copier of the same session must open the very same inode the writers use;
 * a recreated fifo would leave them writing into a pipe nobody reads. The alloc dir GC removes it.
 */
final class FifoCopier {
    private static final Logger LOG = Logger.getLogger(FifoCopier.class.getName());
    /** After the EOF wait: how long a still-held fifo is drained before the copy is cut off. */
    private static final long DRAIN_MILLIS = 200;
    private static final int PAGE = 4096;
    private static final long TAG_FIFO = 0, TAG_BELL = 1;
    /**
     * One eventfd for the process, edge-triggered in every copier's epoll: ringing it wakes every
     * copy once, and each checks whether it was cut off (rare: a stop whose fifo a writer still
     * holds). One descriptor in all instead of one per stream.
     */
    private static final int BELL = Pipes.eventfd();

    private final Path fifo;
    private final FileRotator rotator;
    private final int reader;
    private final Object keepAliveLock = new Object();
    private int keepAlive;
    private final FifoWindow window;
    private final int epoll;
    private final Thread thread;
    private volatile boolean keepAliveClosed;
    private volatile boolean stopRequested;
    private volatile boolean cutOff;
    private volatile boolean sawEof;
    private volatile long bytesCopied;
    private boolean writeFailed;
    private boolean cannotGrow;

    private FifoCopier(Path fifo, FileRotator rotator, int reader, int keepAlive, String name) {
        this.fifo = fifo;
        this.rotator = rotator;
        this.reader = reader;
        this.keepAlive = keepAlive;
        int ep = -1;
        FifoWindow w = null;
        try {
            w = new FifoWindow(reader, SMALL_READ);
            ep = Pipes.epollCreate();
            Pipes.epollAdd(ep, reader, Pipes.POLLIN | Pipes.EPOLLET, TAG_FIFO);
            Pipes.epollAdd(ep, BELL, Pipes.POLLIN | Pipes.EPOLLET, TAG_BELL);
        } catch (RuntimeException e) {
            if (w != null) w.close();
            FifoWindow.closeQuietly(ep);
            throw e;
        }
        this.window = w;
        this.epoll = ep;
        this.thread = Thread.ofPlatform().daemon().name("logmon-copy-" + name).unstarted(this::copy);
    }

    /**
     * Creates the fifo if missing and opens it; returns once it is open, so a writer can open it
     * right away without blocking. A handle parked in {@code holds} bridges until ours are open.
     */
    static FifoCopier start(Path fifo, FileRotator rotator, FifoHolds holds, String name) throws IOException {
        if (fifo.getParent() != null) Files.createDirectories(fifo.getParent());
        Native.mkfifo(fifo, 0600);
        FileChannel parked = holds.claim(fifo);
        int reader = -1, keepAlive = -1;
        try {
            reader = Pipes.open(fifo, Pipes.O_RDONLY | Pipes.O_NONBLOCK | Pipes.O_CLOEXEC, 0);
            keepAlive = Pipes.open(fifo, Pipes.O_RDWR | Pipes.O_CLOEXEC, 0);
            var copier = new FifoCopier(fifo, rotator, reader, keepAlive, name);
            copier.thread.start();
            return copier;
        } catch (NativeException e) {
            FifoWindow.closeQuietly(reader);
            FifoWindow.closeQuietly(keepAlive);
            throw new IOException("cannot open fifo " + fifo + ": " + e.getMessage(), e);
        } finally {
            FifoHolds.closeQuietly(parked);
        }
    }

    /** O_RDWR without O_CREAT. */
    static FileChannel openReadWrite(Path fifo) throws IOException {
        return FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE);
    }

    /**
     * Idle tasks are the common case: a small window each. Once a peek fills it, output floods in:
     * the fifo's pipe (and our private copy of it) is grown, so the task's writer can run ahead of
     * us by a few windows (the kernel holds pages only for data waiting in a pipe, so this costs
     * nothing once drained), and a large window takes over until the burst is over. Not larger: a
     * window must fit the CPU's cache together with the pipe pages it comes from, else counting its
     * lines and splicing it out read it from memory again (1 MiB reads from a 1 MiB pipe cost twice
     * the CPU of 128 KiB reads from a 256 KiB one, docs/performance.md). The buffer is native
     * memory, freed as soon as the burst ends.
     *
     * <p>Why tee + splice and not read(2) + write(2), which copied faster (docs/performance.md,
     * session 4): bytes read are gone from the fifo, so a logmon killed between a read and its
     * write lost them, and a partial line held in memory with them (the fault suite saw it,
     * KillSafetyTest fails on it every time). Kill-safety wins. The price: a splice holds the
     * pipe's lock while the file system takes the data, so the task's writer cannot fill the pipe
     * meanwhile (it spins on the lock), and the tee is one more call per window: 9-12 % of
     * throughput (docs/performance.md, "kill-safe log copy"). The bytes are still read once, from
     * the private copy: lines are counted.
     */
    static final int SMALL_READ = 8 * 1024;
    static final int LARGE_READ = 128 * 1024;
    /** What the fifo's pipe is grown to for a burst. */
    static final int PIPE_SIZE = 256 * 1024;
    /** A burst is over once no peek filled the small window for this long. */
    private static final long BURST_END_NANOS = TimeUnit.SECONDS.toNanos(1);

    private void copy() {
        boolean grown = false;
        long lastBusy = 0;
        var mode = Drain.HOLD;
        try {
            window.warmUp();
            Pipes.poll(reader, Pipes.POLLIN, 0);
            Pipes.epollWait(epoll, 0); // an edge it takes is no loss: the loop peeks before it waits
            while (true) {
                boolean cut = cutOff;
                if (cut) mode = Drain.FLUSH;
                int held = rotator.held();
                int length;
                try {
                    length = window.peek(held);
                } catch (IOException e) {
                    LOG.warning("copying " + fifo + ": " + e.getMessage());
                    rotator.forgetHeld();
                    continue;
                }
                if (length == 0) {
                    sawEof = true;
                    return;
                }
                if (length < 0) { // empty
                    if (cut || stopRequested) return;
                    await(-1);
                    continue;
                }
                deliver(mode);
                if (cut) return; // the rest stays in the fifo for the parked hold
                mode = Drain.HOLD;
                boolean full = !window.sawAll(); // more is waiting
                if (full) lastBusy = System.nanoTime();
                if (full && window.capacity() < LARGE_READ) {
                    if (!grown) growPipe(PIPE_SIZE);
                    grown = true;
                    window.resize(LARGE_READ);
                } else if (!full && window.capacity() > SMALL_READ && System.nanoTime() - lastBusy > BURST_END_NANOS) {
                    window.resize(SMALL_READ);
                    shrinkPipe();
                }
                if (full) continue;
                held = rotator.held();
                if (held == 0) continue; // wait only once a peek found the fifo empty (see waitWithPartialLine)
                mode = waitWithPartialLine(window.consumed());
            }
        } catch (RuntimeException | Error e) {
            LOG.severe("copy of " + fifo + " failed: " + e);
            throw e;
        }
    }

    /**
     * How long a wait holding a partial line lasts at most. The wait wakes on every write, with
     * one exception: a writer whose single write(2) fills the pipe goes to sleep without waking
     * readers unless it found the pipe empty (fs/pipe.c), and a held partial line keeps it from
     * being empty. Waits with an empty fifo need no such limit: every writer then finds it empty.
     */
    private static final int BACKSTOP_MILLIS = 5;

    /**
     * Only a partial line is left at the fifo's head: waits for more output, or says what to do
     * with the line now: write it (idle for too long, writers gone, stopping), or split it (it
     * fills the pipe, which cannot grow to hold a whole file).
     */
    private Drain waitWithPartialLine(int justMoved) {
        if (stopRequested || (keepAliveClosed && writersGone())) return Drain.FLUSH;
        long due = rotator.flushDueNanos() - System.nanoTime();
        if (due <= 0) return Drain.FLUSH;
        // A writer blocks only on a full pipe; having just freed a page, we know it is not.
        if (justMoved < PAGE && pipeFull()) {
            int size = Pipes.pipeSize(reader);
            long wanted = Math.min(1L << 30, Long.highestOneBit(Math.max(1, 2 * rotator.maxFileBytes() - 1)) << 1);
            if (cannotGrow || size >= wanted || !growPipe((int) Math.min(wanted, 2L * size))) return Drain.SPLIT;
            return Drain.HOLD;
        }
        await((int) Math.min(BACKSTOP_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(due + 999_999))));
        return Drain.HOLD;
    }

    private void deliver(Drain mode) {
        long before = window.total();
        try {
            rotator.drain(window, mode);
            writeFailed = false;
        } catch (IOException e) {
            // Dropped and counted by the rotator; a stalled copy would block the task on a full pipe.
            if (!writeFailed) LOG.warning("dropping output of " + fifo + ": " + e.getMessage());
            writeFailed = true;
        } finally {
            bytesCopied += window.total() - before; // only this thread writes it
        }
    }

    /** Grows the fifo's pipe (our private copy first, so one tee still takes all of it); false when refused. */
    private boolean growPipe(int bytes) {
        try {
            if (Pipes.pipeSize(reader) >= bytes) return true;
            window.sizeMirror(bytes);
            Pipes.resizePipe(reader, bytes);
            return true;
        } catch (NativeException e) {
            LOG.fine("cannot grow the pipe of " + fifo + " to " + bytes + ": " + e.getMessage());
            cannotGrow = bytes > PIPE_SIZE;
            return false;
        }
    }

    /**
     * After a burst: a pipe grown beyond {@link #PIPE_SIZE} for a long partial line goes back to it
     * (a writer could otherwise run that far ahead of us, and its pages stay out of the cache).
     * EBUSY while it holds more: tried again after the next burst.
     */
    private void shrinkPipe() {
        try {
            if (Pipes.pipeSize(reader) <= PIPE_SIZE) return;
            Pipes.resizePipe(reader, PIPE_SIZE);
            window.sizeMirror(PIPE_SIZE);
            cannotGrow = false;
        } catch (NativeException e) {
            LOG.fine("cannot shrink the pipe of " + fifo + ": " + e.getMessage());
        }
    }

    /** Whether a writer would block: no room left in the fifo's pipe. */
    private boolean pipeFull() {
        synchronized (keepAliveLock) {
            return keepAlive >= 0 && (Pipes.poll(keepAlive, Pipes.POLLOUT, 0) & Pipes.POLLOUT) == 0;
        }
    }

    private boolean writersGone() {
        return (Pipes.poll(reader, Pipes.POLLIN, 0) & Pipes.POLLHUP) != 0;
    }

    private void await(int timeoutMillis) {
        Pipes.epollWait(epoll, timeoutMillis);
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
        keepAliveClosed = true; // before the close: the copy, woken by it, must see the flag
        synchronized (keepAliveLock) {
            FifoWindow.closeQuietly(keepAlive);
            keepAlive = -1;
        }
    }

    /**
     * Waits for EOF until {@code deadlineNanos}; if a writer still holds the fifo, parks a holding
     * handle in {@code holds} (before our reader closes, so there is no reader-less gap), drains
     * briefly and cuts the copy off. Returns true when the copy ended on EOF.
     */
    boolean finishStop(long deadlineNanos, FifoHolds holds) {
        join(Math.max(0, deadlineNanos - System.nanoTime()));
        if (thread.isAlive()) {
            holds.hold(fifo);
            stopRequested = true;
            Pipes.signal(BELL); // a wait for more output ends: drain what is there
            join(TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
            cutOff = true;
            Pipes.signal(BELL);
            join(TimeUnit.SECONDS.toNanos(5));
        }
        if (thread.isAlive()) {
            LOG.warning("copy thread of " + fifo + " did not end; leaving its descriptors open");
        } else {
            window.close();
            FifoWindow.closeQuietly(epoll);
            FifoWindow.closeQuietly(reader);
        }
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
