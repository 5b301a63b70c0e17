package dev.drover.sdk.proc;

import dev.drover.sdk.nativ.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Names one process for its whole life: pid + start time (clock ticks since boot) + boot id. A pid
 * read from disk is never signalled unless all three still match, so a reused pid is left alone.
 */
public record ProcessIdentity(int pid, long startTicks, String bootId) {
    public ProcessIdentity {
        if (pid <= 0) throw new IllegalArgumentException("pid must be positive: " + pid);
        if (bootId == null || bootId.isBlank()) throw new IllegalArgumentException("bootId is required");
    }

    private static final String BOOT_ID = readBootId();

    private static String readBootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).trim();
        } catch (IOException e) {
            return "unknown-boot";
        }
    }

    public static String currentBootId() {
        return BOOT_ID;
    }

    /** The identity of a running process, or empty if there is no such (non-zombie) process. */
    public static Optional<ProcessIdentity> of(int pid) {
        return ProcStat.read(pid)
                .filter(stat -> stat.state() != 'Z' && stat.state() != 'X')
                .map(stat -> new ProcessIdentity(pid, stat.startTicks(), BOOT_ID));
    }

    public static ProcessIdentity self() {
        return of((int) ProcessHandle.current().pid()).orElseThrow();
    }

    /** True while this very process (not a later one with the same pid) is running. */
    public boolean isAlive() {
        return bootId.equals(BOOT_ID) && of(pid).map(this::equals).orElse(false);
    }

    /**
     * Signals this process if, and only if, it is still the same process. Uses a pidfd so the check
     * and the signal cannot race with pid reuse.
     *
     * @return true if the signal was delivered
     */
    public boolean signal(int signal) {
        if (!bootId.equals(BOOT_ID)) return false;
        int pidfd;
        try {
            pidfd = Native.pidfdOpen(pid);
        } catch (RuntimeException e) {
            return false; // no such process
        }
        try {
            return isAlive() && Native.pidfdSendSignal(pidfd, signal);
        } finally {
            Native.close(pidfd);
        }
    }

    /** Blocks until this process has exited or the timeout passes; true if it exited. */
    public boolean awaitExit(long timeoutMillis) {
        if (!isAlive()) return true;
        int pidfd;
        try {
            pidfd = Native.pidfdOpen(pid);
        } catch (RuntimeException e) {
            return true;
        }
        try {
            if (!isAlive()) return true;
            // A pidfd turns readable when the process exits, but a zombie child we have not reaped
            // yet also counts as exited here: ProcStat treats 'Z' as gone.
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000L;
                if (left <= 0) return !isAlive();
                if (Native.pollReadable(pidfd, (int) Math.min(left, 200))) return true;
                if (!isAlive()) return true;
            }
        } finally {
            Native.close(pidfd);
        }
    }
}
