package dev.drover.agent.events;

import java.util.List;
import java.util.Objects;
import tools.jackson.databind.JsonNode;

/**
 * One entry of the event stream (Nomad's {@code structs.Event}).
 *
 * @param index      position in the stream, strictly increasing from 1
 * @param topic      {@link #ALLOCATION} or {@link #TASK}
 * @param key        what the event is about: the allocation id
 * @param filterKeys further keys a subscriber may filter on: the job id (and, for task events, the task name)
 * @param time       unix nanoseconds when it was published
 * @param payload    the event's body, e.g. {@code {"Allocation": {...}}}
 */
public record Event(long index, String topic, String type, String key, String namespace, List<String> filterKeys,
                    long time, JsonNode payload) {
    public static final String ALLOCATION = "Allocation";
    public static final String TASK = "Task";
    /** Every topic this agent publishes; a subscription may name only these (or "*"). */
    public static final List<String> TOPICS = List.of(ALLOCATION, TASK);

    public Event {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(payload, "payload");
        namespace = namespace == null ? "default" : namespace;
        filterKeys = List.copyOf(filterKeys);
    }
}
