package dev.drover.agent.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.state.StateStore.Bucket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {
    record Doc(String name, int n) {}

    @Test
    void concurrentWritersShareCommitsAndEveryWriteSurvivesReopen(@TempDir Path dir) throws Exception {
        var file = dir.resolve("state.db");
        try (var store = new StateStore(file); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var writes = new ArrayList<Future<?>>();
            for (int t = 0; t < 16; t++) {
                int thread = t;
                writes.add(pool.submit(() -> {
                    for (int i = 0; i < 100; i++) store.put(Bucket.TASK_STATES, thread + "/" + i, new Doc("d", i));
                }));
            }
            for (var w : writes) w.get();
            store.delete(Bucket.TASK_STATES, "0/0");
        }
        try (var store = new StateStore(file)) {
            assertEquals(1599, store.keys(Bucket.TASK_STATES).size());
            assertEquals(new Doc("d", 42), store.get(Bucket.TASK_STATES, "15/42", Doc.class).orElseThrow());
            assertTrue(store.get(Bucket.TASK_STATES, "0/0", Doc.class).isEmpty());
            assertTrue(store.get(Bucket.JOBS, "none", Map.class).isEmpty());
        }
    }
}
