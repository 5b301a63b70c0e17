package dev.drover.agent.events;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import tools.jackson.databind.JsonNode;

/**
 * The agent's event stream: a bounded buffer of the newest events (Nomad's event buffer) that
 * subscribers read from an index onwards, blocking until something new arrives. Publishing never
 * blocks on a subscriber: a subscriber that falls behind the buffer is told so and must resubscribe.
 */
public final class EventBroker implements AutoCloseable {
    public static final int DEFAULT_SIZE = 4096;

    private final int capacity;
    private final ArrayDeque<Event> buffer;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition published = lock.newCondition();
    private long lastIndex;
    private boolean closed;

    public EventBroker() {
        this(DEFAULT_SIZE);
    }

    public EventBroker(int capacity) {
        if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1");
        this.capacity = capacity;
        this.buffer = new ArrayDeque<>(Math.min(capacity, 1024));
    }

    /** Appends an event and wakes the subscribers; returns its index. */
    public long publish(String topic, String type, String key, String namespace, List<String> filterKeys, long time,
                        JsonNode payload) {
        lock.lock();
        try {
            var event = new Event(++lastIndex, topic, type, key, namespace, filterKeys, time, payload);
            if (buffer.size() == capacity) buffer.removeFirst();
            buffer.addLast(event);
            published.signalAll();
            return event.index();
        } finally {
            lock.unlock();
        }
    }

    /** What a read returns: matching events after the index, and the index to read on from. */
    public record Batch(List<Event> events, long nextAfter, boolean missed, boolean closed) {}

    /**
     * Events with an index above {@code after} that match {@code filter}, waiting up to
     * {@code timeout} for one to be published. {@code missed} is true when events after
     * {@code after} already left the buffer (the reader continues from the oldest one kept).
     */
    public Batch read(long after, EventFilter filter, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (closed) return new Batch(List.of(), after, false, true);
                boolean missed = !buffer.isEmpty() && buffer.getFirst().index() > after + 1 && after > 0;
                var out = new ArrayList<Event>();
                long next = Math.max(after, buffer.isEmpty() ? after : buffer.getFirst().index() - 1);
                // Scan from the newest end back to the first unread event: readers are usually caught up.
                var it = buffer.descendingIterator();
                while (it.hasNext()) {
                    var e = it.next();
                    if (e.index() <= after) break;
                    if (filter.matches(e)) out.add(e);
                    next = Math.max(next, e.index());
                }
                if (!out.isEmpty() || missed) return new Batch(out.reversed(), next, missed, false);
                after = next; // skip what did not match
                long left = deadline - System.nanoTime();
                if (left <= 0) return new Batch(List.of(), after, false, false);
                published.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }

    public long lastIndex() {
        lock.lock();
        try {
            return lastIndex;
        } finally {
            lock.unlock();
        }
    }

    /** Ends every read at once (agent shutdown). */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            published.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
