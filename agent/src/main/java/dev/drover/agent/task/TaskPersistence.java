package dev.drover.agent.task;

import dev.drover.agent.state.StateStore;
import dev.drover.agent.state.StateStore.Bucket;
import java.util.function.UnaryOperator;

/** Reads and writes one task's {@link LocalTaskState} in the state store. */
public final class TaskPersistence {
    private final StateStore store;
    private final String key;
    private LocalTaskState local;

    TaskPersistence(StateStore store, String key) {
        this.store = store;
        this.key = key;
        this.local = store.get(Bucket.TASK_LOCAL, key, LocalTaskState.class).orElse(LocalTaskState.empty());
    }

    public synchronized LocalTaskState local() {
        return local;
    }

    /** Changes and persists the local state; returns once it is durable. */
    public synchronized void update(UnaryOperator<LocalTaskState> change) {
        local = change.apply(local);
        store.put(Bucket.TASK_LOCAL, key, local);
    }

    /** Changes it and writes it without waiting; returns the write, see {@link StateStore#write}. */
    public synchronized long write(UnaryOperator<LocalTaskState> change) {
        local = change.apply(local);
        return store.write(Bucket.TASK_LOCAL, key, local);
    }
}
