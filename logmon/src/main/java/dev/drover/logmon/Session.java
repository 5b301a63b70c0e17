package dev.drover.logmon;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogStats;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/** One task's logging: a rotator and a fifo copier per stream. Methods are synchronized on the session. */
final class Session {
    private static final Logger LOG = Logger.getLogger(Session.class.getName());

    /** How a session builds its rotators; tests shrink the MB unit to bytes. */
    record Settings(long bytesPerMB, Duration idleFlush, Duration eofWait, FifoHolds holds) {}

    private record Stream(FileRotator rotator, FifoCopier copier) {}

    private final String name;
    private final Settings settings;
    private LogConfig config;
    /** Volatile: {@link #stats} reads it without the lock, which a stop holds for seconds. */
    private volatile List<Stream> streams = List.of();
    /** The counters as the last copy left them, for while none runs. */
    private volatile LogStats lastStats = new LogStats(LogStats.Stream.ZERO, LogStats.Stream.ZERO);
    private boolean stopped;

    Session(String name, Settings settings) {
        this.name = name;
        this.settings = settings;
    }

    synchronized boolean isStopped() {
        return stopped;
    }

    synchronized boolean isRunning() {
        return !streams.isEmpty() && streams.stream().allMatch(s -> s.copier().isRunning());
    }

    /**
     * Idempotent: a running copy with the same config is left alone. A copy whose threads ended is
     * recreated; a changed config (as in Nomad) restarts the copy at once, the fifos' writers being
     * bridged by a held handle.
     */
    synchronized void ensureRunning(LogConfig wanted) {
        if (stopped) throw new IllegalStateException("session " + name + " is stopped");
        if (isRunning() && wanted.equals(config)) return;
        if (!streams.isEmpty()) {
            if (isRunning()) LOG.info("logmon " + name + ": config changed, restarting the copy");
            stopStreams(System.nanoTime());
        }
        config = wanted;
        var opened = new ArrayList<Stream>();
        try {
            opened.add(open(wanted.stdoutFileBase(), wanted.stdoutFifo(), "stdout"));
            opened.add(open(wanted.stderrFileBase(), wanted.stderrFifo(), "stderr"));
        } catch (IOException | RuntimeException e) {
            streams = opened;
            stopStreams(System.nanoTime());
            throw DroverException.internal("logmon " + name + ": cannot start: " + e.getMessage(), e);
        }
        streams = List.copyOf(opened);
        LOG.info("logmon " + name + ": copying " + wanted.stdoutFifo() + " and " + wanted.stderrFifo() + " into " + wanted.logDir());
    }

    private Stream open(String base, String fifo, String what) throws IOException {
        long fileBytes = config.maxFileSizeMB() * settings.bytesPerMB();
        var rotator = FileRotator.open(Path.of(config.logDir()), base, config.maxFiles(), fileBytes, settings.idleFlush());
        try {
            return new Stream(rotator, FifoCopier.start(Path.of(fifo), rotator, settings.holds(), name + "-" + what));
        } catch (IOException | RuntimeException e) {
            FifoHolds.closeQuietly(rotator);
            throw e;
        }
    }

    /** Drains what the writers still have in flight (waiting up to the EOF wait), closes the files. */
    synchronized void stop() {
        if (stopped) return;
        stopped = true;
        long copied = stopStreams(System.nanoTime() + settings.eofWait().toNanos());
        LOG.info("logmon " + name + ": stopped; this copy moved " + copied + " bytes");
    }

    /** Both streams are stopped together, so their waits for EOF overlap. Returns the bytes copied. */
    private long stopStreams(long deadlineNanos) {
        streams.forEach(s -> s.copier().beginStop());
        for (var s : streams) {
            if (!s.copier().finishStop(deadlineNanos, settings.holds())) {
                LOG.info("logmon " + name + ": " + s.copier().fifo() + " was still open by a writer; stopped anyway");
            }
            s.rotator().close();
        }
        long copied = bytesCopied();
        if (streams.size() == 2) lastStats = stats(streams);
        streams = List.of();
        return copied;
    }

    /** What the streams wrote and dropped since the task's logging began (see {@link LogCounts}). */
    LogStats stats() {
        var current = streams;
        return current.size() == 2 ? stats(current) : lastStats;
    }

    private static LogStats stats(List<Stream> streams) {
        return new LogStats(streams.get(0).rotator().stats(), streams.get(1).rotator().stats());
    }

    synchronized long bytesCopied() {
        return streams.stream().mapToLong(s -> s.copier().bytesCopied()).sum();
    }
}
