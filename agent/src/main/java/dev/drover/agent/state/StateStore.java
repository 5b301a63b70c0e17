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
 * MVStore file. {@link #put} returns only once it is committed and synced, so whatever the agent
 * acknowledged survives a kill -9. Writers that arrive together share one commit and one fsync
 * (group commit): many tasks starting at once do not queue behind each other's fsyncs.
 * <p>
 * {@link #write} is the deferred form for steps whose loss in a crash is harmless (a task's start
 * events, hook data written before its start): it returns a sequence number at once, and the
 * write becomes durable with the next commit, one the caller waits for with {@link #awaitDurable},
 * or at the latest {@link #FLUSH_MILLIS} later. A task start then costs one fsync, not one per step.
 */
public final class StateStore implements AutoCloseable {
    /** Buckets; keys are ids or "allocId/task". */
    public enum Bucket { JOBS, ALLOCS, TASK_STATES, TASK_LOCAL, NODE }

    private final MVStore store;
    private final Object lock = new Object();
    private long written;   // sequence number of the last write applied to the maps
    private long durable;   // sequence number up to which writes are committed and synced
    private boolean committing;
    private boolean flushScheduled;
    /** The longest a deferred write waits for a commit that some durable write would have caused. */
    static final long FLUSH_MILLIS = 200;
    private final long flushMillis;

    public StateStore(Path file) {
        this(file, FLUSH_MILLIS);
    }

    StateStore(Path file, long flushMillis) {
        this.flushMillis = flushMillis;
        try {
            Files.createDirectories(file.getParent());
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot create state dir " + file.getParent() + ": " + e.getMessage(), e);
        }
        // Auto-commit is off: we commit (put, delete, awaitDurable, the flush), so acknowledged means durable.
        this.store = new MVStore.Builder().fileName(file.toString()).autoCommitDisabled().open();
    }

    private MVMap<String, String> map(Bucket bucket) {
        return store.openMap(bucket.name().toLowerCase());
    }

    public void put(Bucket bucket, String key, Object value) {
        awaitDurable(apply(bucket, key, value, false));
    }

    /** Applies the write now (readers see it) and returns its sequence number; durable soon, see above. */
    public long write(Bucket bucket, String key, Object value) {
        return apply(bucket, key, value, true);
    }

    private long apply(Bucket bucket, String key, Object value, boolean deferred) {
        String json = Wire.JSON.writeValueAsString(value);
        synchronized (lock) {
            map(bucket).put(key, json);
            if (deferred) scheduleFlush();
            return ++written;
        }
    }

    public void delete(Bucket bucket, String key) {
        long mine;
        synchronized (lock) {
            map(bucket).remove(key);
            mine = ++written;
        }
        awaitDurable(mine);
    }

    /** Starts committing everything written so far in the background; {@link #awaitDurable} joins it. */
    public void commitSoon() {
        long upTo;
        synchronized (lock) {
            upTo = written;
        }
        Thread.ofVirtual().name("state-commit").start(() -> {
            try {
                awaitDurable(upTo);
            } catch (RuntimeException e) {
                // whoever awaits these writes sees the failure of its own commit
            }
        });
    }

    /** Holds {@code lock}: makes sure deferred writes reach the disk even if no durable write follows. */
    private void scheduleFlush() {
        if (flushScheduled) return;
        flushScheduled = true;
        Thread.ofVirtual().name("state-flush").start(() -> {
            long upTo;
            try {
                Thread.sleep(flushMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (lock) {
                flushScheduled = false;
                upTo = written;
            }
            try {
                if (!store.isClosed()) awaitDurable(upTo);
            } catch (RuntimeException e) {
                // closed meanwhile (close commits), or a failed commit the next durable writer sees too
            }
        });
    }

    /**
     * Returns once write {@code mine} (a sequence number from {@link #write}) is on disk. The first
     * waiter commits everything written so far; the others wait for that commit and are usually
     * covered by it.
     */
    public void awaitDurable(long mine) {
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

    /** Whether write {@code seq} is committed and synced. */
    boolean isDurable(long seq) {
        synchronized (lock) {
            return durable >= seq;
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
