package dev.drover.agent.events;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which events a subscriber wants, from Nomad's {@code topic=Topic:Key} query values ("*" for all
 * topics or all keys; a key matches the event's key or any of its filter keys), narrowed to one
 * namespace ("*" for all) and optionally one job.
 */
public record EventFilter(Map<String, Set<String>> topics, String namespace, String job) {
    public static final String ANY = "*";

    public EventFilter {
        topics = Map.copyOf(topics);
    }

    /**
     * Parses the topic query values; none means every topic. Throws IllegalArgumentException with
     * a message fit for a 400 when a topic is unknown or a value is malformed.
     */
    public static EventFilter parse(List<String> topicValues, String namespace, String job) {
        var topics = new HashMap<String, Set<String>>();
        if (topicValues.isEmpty()) topics.put(ANY, Set.of(ANY));
        for (String value : topicValues) {
            int colon = value.indexOf(':');
            String topic = colon < 0 ? value : value.substring(0, colon);
            String key = colon < 0 ? ANY : value.substring(colon + 1);
            if (topic.isEmpty() || key.isEmpty()) {
                throw new IllegalArgumentException("topic \"" + value + "\": expected Topic or Topic:Key, e.g. Task:myjob");
            }
            if (!topic.equals(ANY) && !Event.TOPICS.contains(topic)) {
                throw new IllegalArgumentException("topic \"" + topic + "\" is unknown; topics: " + String.join(", ", Event.TOPICS) + " or *");
            }
            topics.computeIfAbsent(topic, t -> new HashSet<>()).add(key);
        }
        return new EventFilter(topics, namespace == null || namespace.isEmpty() ? "default" : namespace,
                job == null ? "" : job);
    }

    public boolean matches(Event e) {
        if (!namespace.equals(ANY) && !namespace.equals(e.namespace())) return false;
        // FilterKeys start with the job id (see Telemetry).
        if (!job.isEmpty() && (e.filterKeys().isEmpty() || !e.filterKeys().getFirst().equals(job))) return false;
        return keyMatches(topics.get(e.topic()), e) || keyMatches(topics.get(ANY), e);
    }

    private static boolean keyMatches(Set<String> keys, Event e) {
        if (keys == null) return false;
        if (keys.contains(ANY) || keys.contains(e.key())) return true;
        for (String k : e.filterKeys()) if (keys.contains(k)) return true;
        return false;
    }
}
