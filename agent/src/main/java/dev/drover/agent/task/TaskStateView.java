package dev.drover.agent.task;

import dev.drover.sdk.driver.DriverNetwork;
import java.util.List;

/**
 * A task's state as persisted and reported (Nomad's TaskState). Times are unix nanoseconds, 0 when
 * not yet. Only the newest {@link #MAX_EVENTS} events are kept. {@code network} is what the driver
 * returned from the latest StartTask (container IP, port map; Nomad's DriverNetwork), null when the
 * driver returned none or the task never started; it is kept after the task stopped, as the record
 * of its last attempt.
 */
public record TaskStateView(String state, boolean failed, int restarts, long lastRestart, long startedAt,
                            long finishedAt, List<TaskEventRecord> events, DriverNetwork network) {
    public static final int MAX_EVENTS = 10;
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String DEAD = "dead";

    public TaskStateView {
        events = List.copyOf(events.size() > MAX_EVENTS ? events.subList(events.size() - MAX_EVENTS, events.size()) : events);
    }

    public static TaskStateView initial() {
        return new TaskStateView(PENDING, false, 0, 0, 0, 0, List.of(), null);
    }

    public TaskStateView withEvent(TaskEventRecord event) {
        var list = new java.util.ArrayList<>(events);
        list.add(event);
        return new TaskStateView(state, failed || event.failsTask(), restarts, lastRestart, startedAt, finishedAt, list, network);
    }

    public TaskStateView withState(String newState, long now) {
        long started = newState.equals(RUNNING) ? now : startedAt;
        long finished = newState.equals(DEAD) ? now : (newState.equals(RUNNING) ? 0 : finishedAt);
        return new TaskStateView(newState, failed, restarts, lastRestart, started, finished, events, network);
    }

    public TaskStateView withRestart(long now) {
        return new TaskStateView(state, failed, restarts + 1, now, startedAt, finishedAt, events, network);
    }

    public TaskStateView withFailed() {
        return new TaskStateView(state, true, restarts, lastRestart, startedAt, finishedAt, events, network);
    }

    /** The network of a new start attempt (null: the driver reported none). */
    public TaskStateView withNetwork(DriverNetwork newNetwork) {
        return new TaskStateView(state, failed, restarts, lastRestart, startedAt, finishedAt, events, newNetwork);
    }
}
