package dev.drover.agent.task;

import dev.drover.agent.AgentServices;
import dev.drover.agent.task.hooks.EnvHook;
import dev.drover.agent.task.hooks.LogmonHook;
import dev.drover.agent.task.hooks.TaskHook;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.TaskHandle;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;

/**
 * How a {@link TaskRunner} gets a running driver task: a start attempt (prestart hooks, then
 * StartTask, then the handle made durable) or, after an agent restart, the reattach to the task
 * the persisted handle describes. A failed attempt emits its event and tells the restart tracker
 * why; the runner's loop decides what comes next.
 */
final class TaskStart {
    private static final Logger LOG = Logger.getLogger(TaskStart.class.getName());

    private final AgentServices services;
    private final TaskContext ctx;
    private final TaskPersistence persistence;
    private final RestartTracker tracker;
    private final TaskEvents events;
    private final List<TaskHook> hooks;
    private final LogmonHook logmon;
    private final TaskRunner runner;
    /**
     * Held while a start attempt runs (hooks, StartTask, until its handle is durable) or a task is
     * reattached after an agent restart. An agent shutting down waits for it ({@link #settle}), so a
     * task it launched always has a handle on disk for the next agent to reattach to, and the state
     * store is not closed under a start.
     */
    private final ReentrantLock starting = new ReentrantLock();
    /** The state write holding this task's allocation: its process starts only once that is durable. */
    private volatile long allocWrite;

    TaskStart(TaskRunner runner, AgentServices services, TaskContext ctx, TaskPersistence persistence, RestartTracker tracker,
              TaskEvents events, List<TaskHook> hooks, LogmonHook logmon) {
        this.runner = runner;
        this.services = services;
        this.ctx = ctx;
        this.persistence = persistence;
        this.tracker = tracker;
        this.events = events;
        this.hooks = hooks;
        this.logmon = logmon;
    }

    void afterWrite(long allocWrite) {
        this.allocWrite = allocWrite;
    }

    /** After an agent restart: reattach to the task the persisted handle describes; false if there is none to reattach to. */
    boolean reattach() {
        var saved = persistence.local().handle();
        if (saved == null || persistence.local().runComplete()) return false;
        starting.lock(); // reattaching may launch a logmon: an agent stopping meanwhile waits for its record
        try {
            return !runner.isDetached() && recover(saved);
        } finally {
            starting.unlock();
        }
    }

    private boolean recover(TaskHandle saved) {
        try {
            ctx.driver.recoverTask(saved);
            for (var hook : hooks) {
                // The env must be rebuilt and logmon reattached even though nothing is started.
                if (hook instanceof EnvHook || hook instanceof LogmonHook) ((TaskHook.Prestart) hook).prestart(ctx);
            }
            logmon.awaitSession();
            if (runner.attach(saved)) runner.stopDriverTask(); // a stop that came while we reattached
            return true;
        } catch (Exception e) {
            events.emit(EventTypes.restoreFailed("failed to restore task: " + e.getMessage()));
            persistence.update(local -> local.withHandle(null));
            return false;
        }
    }

    /**
     * One start attempt; many tasks may start at once, only {@code start_parallelism} of them do the
     * work at a time. False (with the tracker told why) on failure or when the agent detaches.
     */
    boolean attempt() {
        return Waits.bounded(services.starts(), this::prestartAndStart);
    }

    private boolean prestartAndStart() {
        starting.lock();
        try {
            return !runner.isDetached() && prestartAndStartOnce();
        } finally {
            logmon.abandon(); // after a failure: the logmon session start that ran alongside
            starting.unlock();
        }
    }

    private boolean prestartAndStartOnce() {
        services.lockWarmup().soon(); // the process's placement comes in ~10 ms: see CgroupLockWarmup
        for (var hook : hooks) {
            if (!(hook instanceof TaskHook.Prestart prestart)) continue;
            try {
                prestart.prestart(ctx);
            } catch (Exception e) {
                boolean recoverable = !(e instanceof DroverException de) || de.recoverable();
                events.emit(EventTypes.hookFailed(hook.name(), e.getMessage() == null ? e.toString() : e.getMessage(), false));
                tracker.setStartError(recoverable);
                return false;
            }
        }
        if (runner.killRequestedNow() || runner.isDetached()) return false; // no process for an agent that is going away
        var config = TaskConfigs.forAttempt(ctx);
        try {
            // No process before its allocation is on disk (the registration's commit, overlapping the hooks).
            services.state().awaitDurable(allocWrite);
            long startBegan = System.nanoTime();
            var started = ctx.driver.startTask(config);
            long startedAt = TaskEvents.now(); // the process runs from here on; persisting that comes after
            services.telemetry().taskStarted(ctx.task.driver(), System.nanoTime() - startBegan);
            var event = EventTypes.started();
            if (!logmonReady(started.handle())) return false;
            boolean stopAtOnce = runner.attach(started.handle());
            // Handle and Running state in one commit: the handle must be durable for a restarted agent to reattach.
            persistence.write(local -> local.withHandle(started.handle()));
            long written = events.transition(TaskStateView.RUNNING, startedAt, event, started.network());
            services.state().awaitDurable(written);
            if (stopAtOnce) runner.stopDriverTask();
            return true;
        } catch (DroverException e) {
            services.telemetry().taskStartFailed(ctx.task.driver());
            events.emit(EventTypes.driverFailure(e.getMessage(), false));
            tracker.setStartError(e.recoverable());
            return false;
        }
    }

    /** The task's log session was set up while it launched: without it the task cannot run. */
    private boolean logmonReady(TaskHandle launched) {
        try {
            logmon.awaitSession();
            return true;
        } catch (RuntimeException e) {
            try {
                ctx.driver.destroyTask(launched.config().id(), true);
            } catch (DroverException de) {
                LOG.warning("destroying " + launched.config().id() + " after its logmon failed: " + de.getMessage());
            }
            events.emit(EventTypes.hookFailed(logmon.name(), e.getMessage() == null ? e.toString() : e.getMessage(), false));
            tracker.setStartError(!(e instanceof DroverException de) || de.recoverable());
            return false;
        }
    }

    /**
     * Waits up to {@code limit} for a start attempt or reattach in flight to end (the runner has been
     * detached, so no new one begins); false if one still runs.
     */
    boolean settle(Duration limit) {
        boolean settled = false;
        try {
            settled = starting.tryLock(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (settled) starting.unlock();
        }
        return settled;
    }
}
