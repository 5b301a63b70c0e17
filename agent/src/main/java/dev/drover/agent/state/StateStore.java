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
 * MVStore file. Every write is committed before it returns, so whatever the agent acknowledged
 * survives a kill -9.
 */
public final class StateStore implements AutoCloseable {
    /** Buckets; keys are ids or "allocId/task". */
    public enum Bucket { JOBS, ALLOCS, TASK_STATES, TASK_LOCAL, NODE }

    private final MVStore store;

    public StateStore(Path file) {
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create state dir " + file.getParent() + ": " + e.getMessage(), e);
        }
        // Auto-commit is off: we commit ourselves after each write so acknowledged means durable.
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    }

    private MVMap<String, String> map(Bucket bucket) {
        return store.openMap(bucket.name().toLowerCase());
    }

    public synchronized void put(Bucket bucket, String key, Object value) {
        map(bucket).put(key, Wire.JSON.writeValueAsString(value));
        store.commit();
        store.sync();
    }

    public synchronized void delete(Bucket bucket, String key) {
        map(bucket).remove(key);
        store.commit();
        store.sync();
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
    public synchronized void close() {
        if (!store.isClosed()) store.close();
    }
}
