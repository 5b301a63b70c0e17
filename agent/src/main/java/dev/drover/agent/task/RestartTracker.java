package dev.drover.agent.task;

import dev.drover.agent.job.RestartPolicy;
import dev.drover.sdk.driver.ExitResult;
import java.time.Duration;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Decides, after every exit or failed start, whether a task restarts and after how long —
 * Nomad's rules: attempts are counted per {@code interval} window; mode "fail" gives up once they
 * are used up, mode "delay" waits for the window to end; the delay gets up to 25% jitter; batch
 * tasks that exit 0 are done, service tasks restart even then.
 */
public final class RestartTracker {
    /** What happens next, with the task event type it is reported as. */
    public sealed interface Decision {
        record Restart(Duration delay, String reason) implements Decision {}
        record NotRestarting(String reason) implements Decision {}
        record Terminated(String reason) implements Decision {}
        record Killed() implements Decision {}
    }

    private final RestartPolicy policy;
    private final boolean restartOnSuccess;
    private final LongSupplier nanoClock;
    private final RandomGenerator random;

    private int count;
    private long windowStart;
    private ExitResult exit;
    private boolean startErrorUnrecoverable;
    private boolean startError;
    private boolean restartTriggered;
    private boolean killed;

    /**
     * Whether a task that exits 0 runs again (Nomad's rule): main tasks of service jobs do, batch ones
     * do not; prestart and poststart tasks only if they are sidecars; poststop tasks never.
     */
    public static boolean restartsOnSuccess(String jobType, dev.drover.agent.job.Lifecycle lifecycle) {
        if (lifecycle != null) return lifecycle.sidecar() && !lifecycle.hook().equals("poststop");
        return !jobType.equals("batch") && !jobType.equals("sysbatch");
    }

    public RestartTracker(RestartPolicy policy, boolean restartOnSuccess) {
        this(policy, restartOnSuccess, System::nanoTime, RandomGenerator.getDefault());
    }

    RestartTracker(RestartPolicy policy, boolean restartOnSuccess, LongSupplier nanoClock, RandomGenerator random) {
        this.policy = policy;
        this.restartOnSuccess = restartOnSuccess;
        this.nanoClock = nanoClock;
        this.random = random;
        this.windowStart = nanoClock.getAsLong();
    }

    public synchronized RestartTracker setExit(ExitResult result) {
        this.exit = result;
        this.startError = false;
        return this;
    }

    public synchronized RestartTracker setStartError(boolean recoverable) {
        this.exit = null;
        this.startError = true;
        this.startErrorUnrecoverable = !recoverable;
        return this;
    }

    /** A user asked for a restart: the next decision restarts at once without counting an attempt. */
    public synchronized RestartTracker setRestartTriggered() {
        this.restartTriggered = true;
        return this;
    }

    public synchronized RestartTracker setKilled() {
        this.killed = true;
        return this;
    }

    public synchronized boolean killed() {
        return killed;
    }

    public synchronized int count() {
        return count;
    }

    public synchronized Decision next() {
        try {
            return decide();
        } finally {
            restartTriggered = false;
            startError = false;
            startErrorUnrecoverable = false;
            exit = null;
        }
    }

    private Decision decide() {
        if (killed) return new Decision.Killed();
        if (restartTriggered) return new Decision.Restart(Duration.ZERO, "Restart requested");
        boolean success = !startError && exit != null && exit.successful();
        if (policy.attempts() == 0) {
            return success && !restartOnSuccess
                    ? new Decision.Terminated("Restart unnecessary as task terminated successfully")
                    : new Decision.NotRestarting("Policy allows no restarts");
        }
        long now = nanoClock.getAsLong();
        if (now - windowStart > policy.interval().toNanos()) {
            count = 0;
            windowStart = now;
        }
        count++;
        if (startError && startErrorUnrecoverable) return new Decision.NotRestarting("Error was unrecoverable");
        if (success && !restartOnSuccess) {
            return new Decision.Terminated("Restart unnecessary as task terminated successfully");
        }
        if (count > policy.attempts()) {
            if ("fail".equals(policy.mode())) {
                return new Decision.NotRestarting("Exceeded allowed attempts " + policy.attempts() + " in interval "
                        + dev.drover.sdk.Durations.format(policy.interval()) + " and mode is \"fail\"");
            }
            long untilWindowEnd = windowStart + policy.interval().toNanos() - now;
            return new Decision.Restart(Duration.ofNanos(Math.max(0, untilWindowEnd)), "Exceeded allowed attempts, applying a delay");
        }
        long delay = policy.delay().toNanos();
        long jitter = delay == 0 ? 0 : (long) (random.nextDouble() * delay * 0.25);
        return new Decision.Restart(Duration.ofNanos(delay + jitter), "Restart within policy");
    }
}
