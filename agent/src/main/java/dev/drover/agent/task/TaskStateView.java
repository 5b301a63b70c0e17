package dev.drover.agent.task;

import java.util.List;

/**
 * A task's state as persisted and reported (Nomad's TaskState). Times are unix nanoseconds, 0 when
 * not yet. Only the newest {@link #MAX_EVENTS} events are kept.
 */
public record TaskStateView(String state, boolean failed, int restarts, long lastRestart, long startedAt,
                            long finishedAt, List<TaskEventRecord> events) {
    public static final int MAX_EVENTS = 10;
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String DEAD = "dead";

    public TaskStateView {
        events = List.copyOf(events.size() > MAX_EVENTS ? events.subList(events.size() - MAX_EVENTS, events.size()) : events);
    }

    public static TaskStateView initial() {
        return new TaskStateView(PENDING, false, 0, 0, 0, 0, List.of());
    }

    public TaskStateView withEvent(TaskEventRecord event) {
        var list = new java.util.ArrayList<>(events);
        list.add(event);
        return new TaskStateView(state, failed || event.failsTask(), restarts, lastRestart, startedAt, finishedAt, list);
    }

    public TaskStateView withState(String newState, long now) {
        long started = newState.equals(RUNNING) ? now : startedAt;
        long finished = newState.equals(DEAD) ? now : (newState.equals(RUNNING) ? 0 : finishedAt);
        return new TaskStateView(newState, failed, restarts, lastRestart, started, finished, events);
    }

    public TaskStateView withRestart(long now) {
        return new TaskStateView(state, failed, restarts + 1, now, startedAt, finishedAt, events);
    }

    public TaskStateView withFailed() {
        return new TaskStateView(state, true, restarts, lastRestart, startedAt, finishedAt, events);
    }
}
