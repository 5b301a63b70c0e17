package dev.drover.agent.task;

import dev.drover.agent.AgentServices;
import dev.drover.agent.alloc.AllocDir;
import dev.drover.agent.alloc.Allocation;
import dev.drover.agent.job.Job;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import dev.drover.agent.state.StateStore.Bucket;
import dev.drover.agent.task.hooks.DriverPrestartHook;
import dev.drover.agent.task.hooks.EnvHook;
import dev.drover.agent.task.hooks.LogmonHook;
import dev.drover.agent.task.hooks.TaskDirHook;
import dev.drover.agent.task.hooks.TaskHook;
import dev.drover.agent.task.hooks.ValidateHook;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskState;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Drives one task through its driver's lifecycle, on its own virtual thread.
 * <pre>
 *            ┌──────────── restart (delay, policy) ─────────────┐
 *            ▼                                                  │
 *  pending ──prestart hooks──▶ StartTask ──▶ running ──exit──▶ restart tracker
 *     │            │ error                                      │ no restart / killed
 *     │            └────────────▶ restart tracker               ▼
 *     └──────────── kill ──────────────────────────────────▶  dead ──stop hooks──▶ done
 * </pre>
 * Kill, restart and signal requests come from other threads and act on the driver directly; the
 * run loop sees their effect as the task's exit.
 */
public final class TaskRunner {
    private static final Logger LOG = Logger.getLogger(TaskRunner.class.getName());

    private final AgentServices services;
    private final TaskContext ctx;
    private final TaskPersistence persistence;
    private final RestartTracker tracker;
    private final Consumer<TaskRunner> onStateChange;
    private final LogmonHook logmon = new LogmonHook();
    /** The task runner's hooks, in execution order. */
    private final List<TaskHook> hooks;
    private final CompletableFuture<TaskStateView> done = new CompletableFuture<>();
    private final Object lock = new Object();

    private TaskStateView state;
    private TaskHandle handle; // non-null while a driver task exists
    private boolean killRequested;
    private boolean detached;

    public TaskRunner(AgentServices services, Allocation alloc, Job job, TaskGroup group, Task task, AllocDir allocDir,
                      Consumer<TaskRunner> onStateChange) {
        this.services = services;
        this.onStateChange = onStateChange;
        String key = alloc.id() + "/" + task.name();
        this.persistence = new TaskPersistence(services.state(), key);
        this.state = services.state().get(Bucket.TASK_STATES, key, TaskStateView.class).orElse(TaskStateView.initial());
        var driver = services.drivers().require(task.driver());
        this.ctx = new TaskContext(services, alloc, job, group, task, allocDir, driver, this::emit, persistence);
        this.tracker = new RestartTracker(task.restart(), !job.type().equals("batch") && !job.type().equals("sysbatch"));
        this.hooks = List.of(new ValidateHook(), new TaskDirHook(), logmon, new EnvHook(), new DriverPrestartHook(this::taskConfig));
    }

    public String name() {
        return ctx.task.name();
    }

    public synchronized TaskStateView state() {
        return state;
    }

    public CompletableFuture<TaskStateView> done() {
        return done;
    }

    /** Starts a new task, or picks up one that ran before an agent restart. */
    public void start() {
        if (persistence.local().runComplete()) {
            done.complete(state()); // finished before an agent restart: nothing to run again
            return;
        }
        if (state.events().isEmpty()) emit(EventTypes.received());
        Thread.ofVirtual().name("task-" + ctx.taskKey()).start(this::run);
    }

    private void run() {
        try {
            boolean attached = tryRecover();
            while (true) {
                if (!attached) {
                    if (killRequestedNow() || !boundedStart()) {
                        if (handleDecision(tracker.next())) continue;
                        break;
                    }
                }
                attached = false;
                ExitResult result = ctx.driver.waitTask(handle.config().id());
                if (isDetached()) return; // the agent is going away; the task keeps running
                onExit(result);
                if (!handleDecision(tracker.next())) break;
            }
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "task runner for " + ctx.taskKey() + " failed", e);
            emit(EventTypes.driverFailure("task runner failed: " + e.getMessage(), true));
        } finally {
            finish();
        }
    }

    /** After an agent restart: reattach to the task the persisted handle describes. */
    private boolean tryRecover() {
        var saved = persistence.local().handle();
        if (saved == null || persistence.local().runComplete()) return false;
        try {
            ctx.driver.recoverTask(saved);
            for (var hook : hooks) {
                // The env must be rebuilt and logmon reattached even though nothing is started.
                if (hook instanceof EnvHook || hook instanceof LogmonHook) ((TaskHook.Prestart) hook).prestart(ctx);
            }
            boolean stopAtOnce;
            synchronized (lock) {
                handle = saved;
                stopAtOnce = killRequested; // a stop that came while we reattached
            }
            if (stopAtOnce) stopDriverTask();
            return true;
        } catch (Exception e) {
            emit(EventTypes.restoreFailed("failed to restore task: " + e.getMessage()));
            persistence.update(local -> local.withHandle(null));
            return false;
        }
    }

    private boolean isDetached() {
        synchronized (lock) {
            return detached;
        }
    }

    private boolean killRequestedNow() {
        synchronized (lock) {
            return killRequested;
        }
    }

    /** Many tasks may start at once; only {@code start_parallelism} of them do the work at a time. */
    private boolean boundedStart() {
        try {
            services.starts().acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            return prestartAndStart();
        } finally {
            services.starts().release();
        }
    }

    /** Runs the prestart hooks and StartTask; false (with the tracker told why) on failure. */
    private boolean prestartAndStart() {
        for (var hook : hooks) {
            if (!(hook instanceof TaskHook.Prestart prestart)) continue;
            try {
                prestart.prestart(ctx);
            } catch (Exception e) {
                boolean recoverable = !(e instanceof DroverException de) || de.recoverable();
                emit(EventTypes.hookFailed(hook.name(), e.getMessage() == null ? e.toString() : e.getMessage(), false));
                tracker.setStartError(recoverable);
                return false;
            }
        }
        if (killRequestedNow()) return false;
        var config = taskConfig(ctx);
        try {
            var started = ctx.driver.startTask(config);
            boolean stopAtOnce;
            synchronized (lock) {
                handle = started.handle();
                stopAtOnce = killRequested;
            }
            persistence.update(local -> local.withHandle(started.handle()));
            transition(TaskStateView.RUNNING, EventTypes.started());
            if (stopAtOnce) stopDriverTask();
            return true;
        } catch (DroverException e) {
            emit(EventTypes.driverFailure(e.getMessage(), false));
            tracker.setStartError(e.recoverable());
            return false;
        }
    }

    /** A fresh TaskConfig for a start attempt: a new id every time (Nomad's rule). */
    private TaskConfig taskConfig(TaskContext c) {
        String id = c.taskKey() + "/" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        var res = c.task.resources();
        return new TaskConfig(id, c.job.namespace(), c.job.id(), c.job.name(), c.group.name(), c.task.name(),
                c.alloc.id(), c.alloc.name(), c.task.user(), c.env().env(),
                new dev.drover.sdk.driver.Resources(res.cpu(), res.memoryMB(), res.memoryMaxMB()),
                c.driverConfig, c.allocDir.root().toString(), c.stdoutPath, c.stderrPath, c.alloc.ports());
    }

    private void onExit(ExitResult result) {
        boolean killed;
        String id;
        synchronized (lock) {
            killed = killRequested;
            id = handle.config().id();
            handle = null;
        }
        emit(EventTypes.terminated(result.exitCode(), result.signal(), result.oomKilled(), result.err()));
        try {
            ctx.driver.destroyTask(id, true);
        } catch (DroverException e) {
            LOG.warning("destroying " + id + ": " + e.getMessage());
        }
        persistence.update(local -> local.withHandle(null));
        tracker.setExit(result);
        if (killed) emit(EventTypes.killed());
    }

    /** Acts on the restart tracker's decision; true if the loop goes round again. */
    private boolean handleDecision(RestartTracker.Decision decision) {
        return switch (decision) {
            case RestartTracker.Decision.Restart r -> {
                synchronized (this) {
                    state = state.withRestart(now());
                }
                transition(TaskStateView.PENDING, EventTypes.restarting(r.delay(), r.reason()));
                yield sleepUnlessKilled(r.delay());
            }
            case RestartTracker.Decision.NotRestarting n -> {
                emit(EventTypes.notRestarting(n.reason()));
                yield false;
            }
            case RestartTracker.Decision.Terminated t -> false;
            case RestartTracker.Decision.Killed k -> false;
        };
    }

    private boolean sleepUnlessKilled(Duration delay) {
        long deadline = System.nanoTime() + delay.toNanos();
        synchronized (lock) {
            while (!killRequested) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return true;
                try {
                    lock.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            return false;
        }
    }

    private void finish() {
        boolean leftRunning;
        synchronized (lock) {
            leftRunning = detached;
        }
        if (leftRunning) {
            done.complete(state());
            return;
        }
        setState(TaskStateView.DEAD);
        for (var hook : hooks.reversed()) {
            if (hook instanceof TaskHook.Stop stop) {
                try {
                    stop.stop(ctx);
                } catch (RuntimeException e) {
                    LOG.warning("stop hook " + hook.name() + " of " + ctx.taskKey() + ": " + e.getMessage());
                }
            }
        }
        persistence.update(LocalTaskState::withRunComplete);
        done.complete(state());
    }

    // ---- requests from other threads -------------------------------------------------------

    /** Stops the task for good (job stop, alloc stop). Returns when the request was sent. */
    public void kill(String reason) {
        boolean running;
        synchronized (lock) {
            if (killRequested) return;
            killRequested = true;
            tracker.setKilled();
            running = handle != null;
            lock.notifyAll();
        }
        if (done.isDone()) return;
        emit(EventTypes.killing(killTimeout(), reason));
        if (running) stopDriverTask();
    }

    private void stopDriverTask() {
        TaskHandle h;
        synchronized (lock) {
            h = handle;
        }
        if (h == null) return;
        try {
            ctx.driver.stopTask(h.config().id(), killTimeout(), ctx.task.killSignal());
        } catch (DroverException e) {
            if (e.kind() != DroverException.Kind.NOT_FOUND) {
                LOG.warning("stopping " + h.config().id() + " failed: " + e.getMessage());
            }
        }
    }

    Duration killTimeout() {
        var t = ctx.task.killTimeout();
        return t.compareTo(services.maxKillTimeout()) > 0 ? services.maxKillTimeout() : t;
    }

    /** Restarts a running task without counting against its restart policy. */
    public void restart(String reason) {
        synchronized (lock) {
            if (handle == null || killRequested) throw DroverException.invalid("task \"" + name() + "\" is not running");
            tracker.setRestartTriggered();
        }
        emit(EventTypes.restartSignaled(reason));
        stopDriverTask();
    }

    public void signal(String signal, String reason) {
        TaskHandle h;
        synchronized (lock) {
            h = handle;
        }
        if (h == null) throw DroverException.invalid("task \"" + name() + "\" is not running");
        emit(EventTypes.signaling(signal, reason));
        ctx.driver.signalTask(h.config().id(), signal);
    }

    /** The agent is shutting down: leave the task running and stop watching it. */
    public void detach() {
        synchronized (lock) {
            detached = true;
        }
        logmon.detach();
    }

    /** The driver task id of the current attempt, or null when none runs. */
    public String currentTaskId() {
        synchronized (lock) {
            return handle == null ? null : handle.config().id();
        }
    }

    public TaskState driverState() {
        return currentTaskId() == null ? TaskState.EXITED : TaskState.RUNNING;
    }

    // ---- state and events -------------------------------------------------------------------

    private void emit(TaskEventRecord event) {
        synchronized (this) {
            state = state.withEvent(event);
        }
        persistState();
    }

    /** Records an event and the state it leads to together, so readers never see one without the other. */
    private void transition(String newState, TaskEventRecord event) {
        synchronized (this) {
            state = state.withState(newState, now()).withEvent(event);
        }
        persistState();
    }

    private void setState(String newState) {
        synchronized (this) {
            state = state.withState(newState, now());
        }
        persistState();
    }

    private void persistState() {
        services.state().put(Bucket.TASK_STATES, ctx.taskKey(), state());
        onStateChange.accept(this);
    }

    private static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
