package dev.drover.agent.task;

import dev.drover.agent.AgentServices;
import dev.drover.agent.alloc.AllocDir;
import dev.drover.agent.alloc.Allocation;
import dev.drover.agent.job.Job;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import dev.drover.agent.task.hooks.DriverPrestartHook;
import dev.drover.agent.task.hooks.EnvHook;
import dev.drover.agent.task.hooks.LogmonHook;
import dev.drover.agent.task.hooks.TaskDirHook;
import dev.drover.agent.task.hooks.TaskHook;
import dev.drover.agent.task.hooks.ValidateHook;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExitResult;
import dev.drover.sdk.driver.TaskHandle;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.logmon.LogStats;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
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
 * run loop sees their effect as the task's exit. A start attempt (or the reattach after an agent
 * restart) is {@link TaskStart}'s; the state and events the API shows are {@link TaskEvents}'.
 */
public final class TaskRunner {
    private static final Logger LOG = Logger.getLogger(TaskRunner.class.getName());

    private final AgentServices services;
    private final TaskContext ctx;
    private final TaskPersistence persistence;
    private final RestartTracker tracker;
    private final LogmonHook logmon = new LogmonHook();
    /** The task runner's hooks, in execution order. */
    private final List<TaskHook> hooks;
    private final TaskEvents events;
    private final TaskStart starts;
    private final CompletableFuture<TaskStateView> done = new CompletableFuture<>();
    /** Guards the fields below, shared by the run loop and the request threads. */
    private final Object lock = new Object();

    private TaskHandle handle; // non-null while a driver task exists
    private boolean killRequested;
    private boolean detached;
    /** Opens when the task's lifecycle hook may start (see LifecycleCoordinator); a kill or detach wakes the runner too. */
    private volatile CompletableFuture<?> startGate = CompletableFuture.completedFuture(null);
    private final CompletableFuture<Void> wake = new CompletableFuture<>();
    /** How long a detaching agent waits for a start attempt in flight (a long image pull is abandoned). */
    static final Duration DETACH_WAIT = Duration.ofSeconds(30);

    public TaskRunner(AgentServices services, Allocation alloc, Job job, TaskGroup group, Task task, AllocDir allocDir,
                      Consumer<TaskRunner> onStateChange) {
        this.services = services;
        String key = alloc.id() + "/" + task.name();
        this.persistence = new TaskPersistence(services.state(), key);
        this.events = new TaskEvents(services, alloc, task.name(), () -> onStateChange.accept(this));
        var driver = services.drivers().require(task.driver());
        // Hook events precede a start (whose commit makes them durable) or a failure (emitted durably).
        this.ctx = new TaskContext(services, alloc, job, group, task, allocDir, driver, events::emitDeferred, persistence);
        this.tracker = new RestartTracker(task.restart(), RestartTracker.restartsOnSuccess(job.type(), task.lifecycle()));
        this.hooks = List.of(new ValidateHook(), new TaskDirHook(), logmon, new EnvHook(), new DriverPrestartHook(TaskConfigs::forAttempt));
        this.starts = new TaskStart(this, services, ctx, persistence, tracker, events, hooks, logmon);
    }

    public String name() {
        return ctx.task.name();
    }

    /** The task's job, resources and driver, for the stats sampler and the stats API. */
    public TaskContext context() {
        return ctx;
    }

    public TaskStateView state() {
        return events.state();
    }

    public CompletableFuture<TaskStateView> done() {
        return done;
    }

    /** Starts a new task, or picks up one that ran before an agent restart. */
    public void start() {
        start(0);
    }

    /** As {@link #start()}; the task's process waits until state write {@code allocWrite} is durable. */
    public void start(long allocWrite) {
        starts.afterWrite(allocWrite);
        if (persistence.local().runComplete()) {
            done.complete(state()); // finished before an agent restart: nothing to run again
            return;
        }
        if (state().events().isEmpty()) events.emitDeferred(EventTypes.received());
        Thread.ofVirtual().name("task-" + ctx.taskKey()).start(this::run);
    }

    private void run() {
        try {
            boolean attached = starts.reattach();
            if (!attached) {
                CompletableFuture.anyOf(startGate, wake).join();
                if (isDetached()) return; // never started: nothing to leave running
            }
            while (true) {
                if (!attached) {
                    if (killRequestedNow() || !starts.attempt()) {
                        if (isDetached()) return; // the agent went away before the task started: the next one starts it
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
            events.emit(EventTypes.driverFailure("task runner failed: " + e.getMessage(), true));
        } finally {
            finish();
        }
    }

    /** Makes {@code started} the current attempt's driver task; true if a stop came meanwhile (stop it at once). */
    boolean attach(TaskHandle started) {
        synchronized (lock) {
            handle = started;
            return killRequested;
        }
    }

    boolean isDetached() {
        synchronized (lock) {
            return detached;
        }
    }

    boolean killRequestedNow() {
        synchronized (lock) {
            return killRequested;
        }
    }

    private void onExit(ExitResult result) {
        boolean killed;
        String id;
        synchronized (lock) {
            killed = killRequested;
            id = handle.config().id();
            handle = null;
        }
        events.emit(EventTypes.terminated(result.exitCode(), result.signal(), result.oomKilled(), result.err()));
        try {
            ctx.driver.destroyTask(id, true);
        } catch (DroverException e) {
            LOG.warning("destroying " + id + ": " + e.getMessage());
        }
        persistence.update(local -> local.withHandle(null));
        tracker.setExit(result);
        if (killed) events.emit(EventTypes.killed());
    }

    /** Acts on the restart tracker's decision; true if the loop goes round again. */
    private boolean handleDecision(RestartTracker.Decision decision) {
        return switch (decision) {
            case RestartTracker.Decision.Restart r -> {
                events.countRestart();
                events.transition(TaskStateView.PENDING, EventTypes.restarting(r.delay(), r.reason()));
                yield sleepUnlessKilled(r.delay());
            }
            case RestartTracker.Decision.NotRestarting n -> {
                events.emit(EventTypes.notRestarting(n.reason()));
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
        events.setState(TaskStateView.DEAD);
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
        wake.complete(null);
        if (done.isDone()) return;
        events.emit(EventTypes.killing(killTimeout(), reason));
        if (running) {
            awaitShutdownDelay();
            stopDriverTask();
        }
    }

    /** Nomad's shutdown_delay: time between deregistration and the kill signal; cut short if the task exits. */
    private void awaitShutdownDelay() {
        if (ctx.task.shutdownDelay().isZero()) return;
        events.emit(EventTypes.waitingShutdownDelay(ctx.task.shutdownDelay()));
        Waits.upTo(done, ctx.task.shutdownDelay());
    }

    /** Holds the task's first start until {@code gate} completes; call before {@link #start()}. */
    public void gateStart(CompletableFuture<?> gate) {
        this.startGate = gate;
    }

    /** Records an event about this task decided elsewhere (e.g. the group's leader died). */
    public void recordEvent(TaskEventRecord event) {
        if (!done.isDone()) events.emit(event);
    }

    /** Attempts of a stop whose call fails (a plugin host being replaced), with backoff from {@link #STOP_RETRY_FIRST}. */
    static final int STOP_ATTEMPTS = 5;
    static final Duration STOP_RETRY_FIRST = Duration.ofMillis(500);

    /**
     * Sends the task its kill_signal (then SIGKILL after kill_timeout). A failed call is retried, as
     * Nomad retries StopTask: a task whose stop got lost with its plugin host must not run on with
     * desired status stop. A task that ended meanwhile, or is unknown to its driver, needs no retry.
     */
    void stopDriverTask() {
        TaskHandle h;
        synchronized (lock) {
            h = handle;
        }
        if (h == null) return;
        String id = h.config().id();
        for (int attempt = 1; ; attempt++) {
            try {
                ctx.driver.stopTask(id, killTimeout(), ctx.task.killSignal());
                return;
            } catch (DroverException e) {
                if (e.kind() == DroverException.Kind.NOT_FOUND) return;
                LOG.warning("stopping " + id + " failed (attempt " + attempt + " of " + STOP_ATTEMPTS + "): " + e.getMessage());
                if (attempt >= STOP_ATTEMPTS || !e.recoverable()) return;
                Waits.upTo(done, STOP_RETRY_FIRST.multipliedBy(1L << (attempt - 1)));
                if (done.isDone() || !id.equals(currentTaskId())) return; // that attempt ended meanwhile
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
        events.emit(EventTypes.restartSignaled(reason));
        stopDriverTask();
    }

    public void signal(String signal, String reason) {
        TaskHandle h;
        synchronized (lock) {
            h = handle;
        }
        if (h == null) throw DroverException.invalid("task \"" + name() + "\" is not running");
        events.emit(EventTypes.signaling(signal, reason));
        ctx.driver.signalTask(h.config().id(), signal);
    }

    /** A message from the driver about this task (image pull progress and the like). */
    public void driverEvent(String message) {
        events.emit(EventTypes.driverMessage(message));
    }

    /**
     * The agent is shutting down: leave the task running and stop watching it. A start attempt in
     * flight either ends before StartTask or is waited for (up to {@link #DETACH_WAIT}) until its
     * handle is durable. A task being stopped is not left half-stopped: its stop goes on, and the
     * returned future completes once it is done (otherwise at once), for the agent to wait on.
     */
    public CompletableFuture<?> detach() {
        synchronized (lock) {
            if (killRequested) return done;
            detached = true;
        }
        wake.complete(null);
        if (!starts.settle(DETACH_WAIT)) LOG.warning("task " + ctx.taskKey() + " was still starting after " + DETACH_WAIT + "; the next agent starts it");
        logmon.detach();
        return CompletableFuture.completedFuture(null);
    }

    /** The driver task id of the current attempt, or null when none runs. */
    public String currentTaskId() {
        synchronized (lock) {
            return handle == null ? null : handle.config().id();
        }
    }

    /** What the task's logmon wrote and dropped per stream; empty when logs are not collected or logmon does not answer. */
    public Optional<LogStats> logStats() {
        return logmon.stats(ctx);
    }

    public TaskState driverState() {
        return currentTaskId() == null ? TaskState.EXITED : TaskState.RUNNING;
    }
}
