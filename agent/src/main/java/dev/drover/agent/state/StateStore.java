package dev.drover.agent.state;

import dev.drover.sdk.rpc.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import tools.jackson.databind.JsonNode;

/**
 * The agent's embedded state (Nomad's client state.db): named buckets of JSON documents in an
 * MVStore file. A write returns only once it is committed and synced, so whatever the agent
 * acknowledged survives a kill -9. Writers that arrive together share one commit and one fsync
 * (group commit): many tasks starting at once do not queue behind each other's fsyncs.
 */
public final class StateStore implements AutoCloseable {
    /** Buckets; keys are ids or "allocId/task". */
    public enum Bucket { JOBS, ALLOCS, TASK_STATES, TASK_LOCAL, NODE }

    private final MVStore store;
    private final Object lock = new Object();
    private long written;   // sequence number of the last write applied to the maps
    private long durable;   // sequence number up to which writes are committed and synced
    private boolean committing;

    public StateStore(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create state dir " + file.getParent() + ": " + e.getMessage(), e);
        }
        // Auto-commit is off: commits happen in put/delete, so acknowledged means durable.
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    }

    private MVMap<String, String> map(Bucket bucket) {
        return store.openMap(bucket.name().toLowerCase());
    }

    public void put(Bucket bucket, String key, Object value) {
        String json = Wire.JSON.writeValueAsString(value);
        long mine;
        synchronized (lock) {
            map(bucket).put(key, json);
            mine = ++written;
        }
        awaitDurable(mine);
    }

    public void delete(Bucket bucket, String key) {
        long mine;
        synchronized (lock) {
            map(bucket).remove(key);
            mine = ++written;
        }
        awaitDurable(mine);
    }

    /**
     * Returns once write {@code mine} is on disk. The first waiter commits everything written so
     * far; the others wait for that commit and are usually covered by it.
     */
    private void awaitDurable(long mine) {
        while (true) {
            long upTo;
            synchronized (lock) {
                while (durable < mine && committing) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted while writing state", e);
                    }
                }
                if (durable >= mine) return;
                committing = true;
                upTo = written;
            }
            boolean ok = false;
            try {
                // Every write numbered up to 'upTo' is in the maps already, so this commit holds it.
                store.commit();
                store.sync();
                ok = true;
            } finally {
                synchronized (lock) {
                    if (ok) durable = Math.max(durable, upTo);
                    committing = false; // also after a failure, or the other writers would wait forever
                    lock.notifyAll();
                }
            }
        }
    }

    public <T> Optional<T> get(Bucket bucket, String key, Class<T> type) {
        String json = map(bucket).get(key);
        return json == null ? Optional.empty() : Optional.of(Wire.JSON.readValue(json, type));
    }

    public Optional<JsonNode> getTree(Bucket bucket, String key) {
        String json = map(bucket).get(key);
        return json == null ? Optional.empty() : Optional.of(Wire.JSON.readTree(json));
    }

    public List<String> keys(Bucket bucket) {
        return new ArrayList<>(map(bucket).keySet());
    }

    @Override
    public void close() {
        synchronized (lock) {
            if (!store.isClosed()) store.close();
        }
    }
}
