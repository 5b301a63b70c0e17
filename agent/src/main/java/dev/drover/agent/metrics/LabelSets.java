package dev.drover.agent.metrics;

import dev.drover.sdk.driver.TaskIdentity;
import io.prometheus.metrics.model.snapshots.Labels;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A task's labels never change, so each task's label set is built once — as the client library's
 * {@link Labels} (JSON form) and as escaped exposition text (Prometheus form) — not per scrape,
 * which with 500 tasks would be thousands of sorted, escaped copies each time.
 */
final class LabelSets {
    private static final String[] NAMES = TaskIdentity.LABEL_NAMES.toArray(String[]::new);

    /** @param text {@code namespace="…",…,alloc_index="…"} without braces, UTF-8 */
    record LabelSet(Labels labels, byte[] text, byte[] braced) {}

    private final Map<TaskIdentity, LabelSet> cache = new ConcurrentHashMap<>();

    LabelSet of(TaskIdentity task) {
        return cache.computeIfAbsent(task, t -> {
            byte[] text = TextOut.labelText(TaskIdentity.LABEL_NAMES, t.labelValues());
            byte[] braced = new byte[text.length + 2];
            braced[0] = '{';
            System.arraycopy(text, 0, braced, 1, text.length);
            braced[braced.length - 1] = '}';
            return new LabelSet(Labels.of(NAMES, t.labelValues()), text, braced);
        });
    }

    /** Drops the sets of tasks that are gone. */
    void retainAll(Set<TaskIdentity> live) {
        cache.keySet().retainAll(live);
    }
}
