package dev.drover.agent.task;

import dev.drover.agent.AgentServices;
import dev.drover.agent.alloc.Allocation;
import dev.drover.agent.state.StateStore.Bucket;
import dev.drover.sdk.driver.DriverNetwork;
import java.time.Instant;

/**
 * A task's state as the API shows it ({@link TaskStateView}: state, events, restarts) and every
 * change to it: each event is published to telemetry, the new view written to the state store,
 * and the task runner's listener told. Changes are serialized on this object, so the event stream
 * keeps the order in which they were made.
 */
final class TaskEvents {
    private final AgentServices services;
    private final Allocation alloc;
    private final String task;
    private final String key;
    private final Runnable onChange;
    private TaskStateView state;

    TaskEvents(AgentServices services, Allocation alloc, String task, Runnable onChange) {
        this.services = services;
        this.alloc = alloc;
        this.task = task;
        this.key = alloc.id() + "/" + task;
        this.onChange = onChange;
        this.state = services.state().get(Bucket.TASK_STATES, key, TaskStateView.class).orElse(TaskStateView.initial());
    }

    synchronized TaskStateView state() {
        return state;
    }

    void emit(TaskEventRecord event) {
        synchronized (this) {
            state = withEvent(state, event);
        }
        persist();
    }

    /** An event on the way to a start: durable with the start's commit (or the next one), not on its own. */
    void emitDeferred(TaskEventRecord event) {
        TaskStateView now;
        synchronized (this) {
            state = withEvent(state, event);
            now = state;
        }
        services.state().write(Bucket.TASK_STATES, key, now);
        onChange.run();
    }

    /** Records an event and the state it leads to together, so readers never see one without the other. */
    void transition(String newState, TaskEventRecord event) {
        synchronized (this) {
            state = withEvent(state.withState(newState, now()), event);
        }
        persist();
    }

    /** As above at time {@code at} with the start's DriverNetwork, written but not yet durable; returns the write to await. */
    long transition(String newState, long at, TaskEventRecord event, DriverNetwork network) {
        TaskStateView now;
        synchronized (this) {
            state = withEvent(state.withState(newState, at).withNetwork(network), event);
            now = state;
        }
        long written = services.state().write(Bucket.TASK_STATES, key, now);
        onChange.run();
        return written;
    }

    void setState(String newState) {
        synchronized (this) {
            state = state.withState(newState, now());
        }
        persist();
    }

    /** Counts a restart (the restarting event follows with the transition to pending). */
    synchronized void countRestart() {
        state = state.withRestart(now());
    }

    /** Adds an event and publishes it; callers hold this object's lock, so the event stream keeps their order. */
    private TaskStateView withEvent(TaskStateView before, TaskEventRecord event) {
        services.telemetry().taskEvent(alloc, task, event);
        return before.withEvent(event);
    }

    private void persist() {
        services.state().put(Bucket.TASK_STATES, key, state());
        onChange.run();
    }

    /** Wall-clock time in Unix nanoseconds, as the task state's timestamps are kept. */
    static long now() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
