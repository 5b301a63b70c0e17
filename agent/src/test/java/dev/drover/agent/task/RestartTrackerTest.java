package dev.drover.agent.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.task.RestartTracker.Decision;
import dev.drover.sdk.driver.ExitResult;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RestartTrackerTest {
    private final AtomicLong clock = new AtomicLong();
    private static final ExitResult FAIL = new ExitResult(1, 0, false, "");
    private static final ExitResult OK = new ExitResult(0, 0, false, "");

    private RestartTracker tracker(int attempts, String mode, boolean onSuccess) {
        var policy = new RestartPolicy(attempts, Duration.ofMinutes(1), Duration.ofSeconds(10), mode);
        return new RestartTracker(policy, onSuccess, clock::get, new Random(7));
    }

    @Test
    void restartsWithJitteredDelayUntilAttemptsAreUsedThenFails() {
        var t = tracker(2, "fail", true);
        for (int i = 0; i < 2; i++) {
            var d = assertInstanceOf(Decision.Restart.class, t.setExit(FAIL).next());
            assertEquals("Restart within policy", d.reason());
            assertTrue(d.delay().compareTo(Duration.ofSeconds(10)) >= 0 && d.delay().compareTo(Duration.ofMillis(12_500)) <= 0, d.delay().toString());
        }
        var n = assertInstanceOf(Decision.NotRestarting.class, t.setExit(FAIL).next());
        assertEquals("Exceeded allowed attempts 2 in interval 1m and mode is \"fail\"", n.reason());
    }

    @Test
    void delayModeWaitsForTheRestOfTheInterval() {
        var t = tracker(1, "delay", true);
        assertInstanceOf(Decision.Restart.class, t.setExit(FAIL).next());
        clock.addAndGet(Duration.ofSeconds(20).toNanos());
        var d = assertInstanceOf(Decision.Restart.class, t.setExit(FAIL).next());
        assertEquals("Exceeded allowed attempts, applying a delay", d.reason());
        assertEquals(Duration.ofSeconds(40), d.delay());
    }

    @Test
    void newIntervalResetsTheCount() {
        var t = tracker(1, "fail", true);
        assertInstanceOf(Decision.Restart.class, t.setExit(FAIL).next());
        clock.addAndGet(Duration.ofMinutes(2).toNanos());
        assertInstanceOf(Decision.Restart.class, t.setExit(FAIL).next());
    }

    @Test
    void batchTasksThatSucceedAreDoneServiceTasksRestart() {
        assertInstanceOf(Decision.Terminated.class, tracker(2, "fail", false).setExit(OK).next());
        assertInstanceOf(Decision.Restart.class, tracker(2, "fail", true).setExit(OK).next());
    }

    @Test
    void zeroAttemptsAndUnrecoverableErrorsAndKillsAndTriggers() {
        assertEquals("Policy allows no restarts",
                assertInstanceOf(Decision.NotRestarting.class, tracker(0, "fail", true).setExit(FAIL).next()).reason());
        assertInstanceOf(Decision.Terminated.class, tracker(0, "fail", false).setExit(OK).next());
        assertEquals("Error was unrecoverable",
                assertInstanceOf(Decision.NotRestarting.class, tracker(3, "fail", true).setStartError(false).next()).reason());
        assertInstanceOf(Decision.Restart.class, tracker(3, "fail", true).setStartError(true).next());
        assertInstanceOf(Decision.Killed.class, tracker(3, "fail", true).setKilled().setExit(FAIL).next());
        var t = tracker(1, "fail", true);
        t.setExit(FAIL).next();
        var triggered = assertInstanceOf(Decision.Restart.class, t.setRestartTriggered().setExit(FAIL).next());
        assertEquals(Duration.ZERO, triggered.delay());
        assertEquals(1, t.count(), "a requested restart does not count against the policy");
    }
}
