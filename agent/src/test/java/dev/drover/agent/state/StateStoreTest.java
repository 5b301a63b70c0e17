package dev.drover.agent.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void deferredWritesAreVisibleAtOnceAndDurableWithTheNextCommit(@TempDir Path dir) {
        var file = dir.resolve("state.db");
        try (var store = new StateStore(file, 3_600_000)) { // no background flush during the test
            long first = store.write(Bucket.TASK_STATES, "a/t", new Doc("received", 1));
            long second = store.write(Bucket.TASK_LOCAL, "a/t", new Doc("hook", 2));
            assertTrue(second > first);
            assertEquals(new Doc("received", 1), store.get(Bucket.TASK_STATES, "a/t", Doc.class).orElseThrow());
            assertFalse(store.isDurable(first), "no fsync of its own");
            store.awaitDurable(second);
            assertTrue(store.isDurable(first), "one commit covers every earlier write");
        }
        try (var store = new StateStore(file)) {
            assertEquals(new Doc("hook", 2), store.get(Bucket.TASK_LOCAL, "a/t", Doc.class).orElseThrow());
        }
    }

    @Test
    void aDeferredWriteNobodyWaitsForIsFlushedSoon(@TempDir Path dir) throws Exception {
        try (var store = new StateStore(dir.resolve("state.db"))) {
            long seq = store.write(Bucket.TASK_STATES, "a/t", new Doc("received", 1));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!store.isDurable(seq) && System.nanoTime() < deadline) Thread.sleep(20);
            assertTrue(store.isDurable(seq), "flushed within " + StateStore.FLUSH_MILLIS + " ms (5 s allowed)");
        }
    }
}
