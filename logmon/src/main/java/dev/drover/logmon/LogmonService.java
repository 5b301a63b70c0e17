package dev.drover.logmon;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.logmon.Logmon;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The logmon implementation: one {@link Session} per task, by session name. {@code start} is
 * idempotent, {@code stop} of an unknown session does nothing.
 */
public final class LogmonService implements Logmon {
    private static final Logger LOG = Logger.getLogger(LogmonService.class.getName());
    /** How long stop waits for the task's writers to close the fifos before it stops anyway. */
    public static final Duration EOF_WAIT = Duration.ofSeconds(2);
    /** How long a fifo still held by a writer stays readable after stop, for a following start. */
    public static final Duration HOLD_GRACE = Duration.ofSeconds(10);

    private final Map<String, Session> sessions = new ConcurrentHashMap<>();
    private final Session.Settings settings;

    public LogmonService() {
        this(1024 * 1024, FileRotator.IDLE_FLUSH, EOF_WAIT, HOLD_GRACE);
    }

    /** For tests: {@code bytesPerMB} turns LogConfig's MB into tiny files. */
    LogmonService(long bytesPerMB, Duration idleFlush, Duration eofWait, Duration holdGrace) {
        this.settings = new Session.Settings(bytesPerMB, idleFlush, eofWait, new FifoHolds(holdGrace));
    }

    @Override
    public void start(String session, LogConfig config) {
        validate(session, config);
        while (true) {
            var s = sessions.computeIfAbsent(session, name -> new Session(name, settings));
            synchronized (s) {
                if (s.isStopped()) {
                    // A concurrent stop finished it: drop it and start afresh.
                    sessions.remove(session, s);
                    continue;
                }
                s.ensureRunning(config);
                return;
            }
        }
    }

    @Override
    public void stop(String session) {
        var s = sessions.get(session);
        if (s == null) return;
        s.stop();
        sessions.remove(session, s);
    }

    @Override
    public LogStats stats(String session) {
        var s = sessions.get(session);
        if (s == null) throw DroverException.notFound("logmon: no session " + session);
        return s.stats();
    }

    /** Stops every session, all at once so their waits overlap: the plugin process is exiting. */
    public void stopAll() {
        var stopping = new ArrayList<Thread>();
        for (var name : sessions.keySet()) {
            stopping.add(Thread.ofVirtual().start(() -> stop(name)));
        }
        for (var t : stopping) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        settings.holds().releaseAll();
    }

    /** Names of the sessions copying right now. */
    public Set<String> sessions() {
        return Set.copyOf(sessions.keySet());
    }

    long bytesCopied(String session) {
        var s = sessions.get(session);
        return s == null ? 0 : s.bytesCopied();
    }

    private static void validate(String session, LogConfig c) {
        if (session == null || session.isBlank()) throw DroverException.invalid("logmon: a session name is required");
        if (c == null) throw DroverException.invalid("logmon " + session + ": a log config is required");
        requireName(session, "stdout file base", c.stdoutFileBase());
        requireName(session, "stderr file base", c.stderrFileBase());
        if (c.stdoutFifo() == null || c.stdoutFifo().isBlank() || c.stderrFifo() == null || c.stderrFifo().isBlank()) {
            throw DroverException.invalid("logmon " + session + ": stdout and stderr fifo paths are required");
        }
        if (c.stdoutFifo().equals(c.stderrFifo()) || c.stdoutFileBase().equals(c.stderrFileBase())) {
            throw DroverException.invalid("logmon " + session + ": stdout and stderr need their own fifo and file base");
        }
        LOG.fine("logmon " + session + ": config " + c);
    }

    private static void requireName(String session, String what, String value) {
        if (value == null || value.isBlank() || value.contains("/") || value.equals(".") || value.equals("..")) {
            throw DroverException.invalid("logmon " + session + ": bad " + what + " \"" + value + "\"");
        }
    }
}
