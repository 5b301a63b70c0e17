package dev.drover.sdk.driver;

import java.util.List;

/**
 * Which task a driver or plugin is working for: the labels every per-task metric carries (Nomad's
 * label names plus the allocation's index in its group), never ids baked into metric names.
 */
public record TaskIdentity(String namespace, String job, String group, String task, String allocId, int allocIndex) {
    /** The label names, in the order of {@link #labelValues()}. */
    public static final List<String> LABEL_NAMES = List.of("namespace", "job", "task_group", "task", "alloc_id", "alloc_index");

    public TaskIdentity {
        if (task == null || task.isBlank()) throw new IllegalArgumentException("task name is required");
        if (allocId == null || allocId.isBlank()) throw new IllegalArgumentException("alloc id is required");
        if (allocIndex < 0) throw new IllegalArgumentException("alloc index must not be negative");
        namespace = namespace == null ? "" : namespace;
        job = job == null ? "" : job;
        group = group == null ? "" : group;
    }

    public String[] labelValues() {
        return new String[] {namespace, job, group, task, allocId, Integer.toString(allocIndex)};
    }

    /** "alloc id/task": how the agent keys a task. */
    public String key() {
        return allocId + "/" + task;
    }

    /**
     * The index from an allocation name {@code job.group[3]}, as Nomad's {@code Allocation.Index()}
     * reads it; 0 for a name without one.
     */
    public static int indexOf(String allocName) {
        if (allocName == null || !allocName.endsWith("]")) return 0;
        int open = allocName.lastIndexOf('[');
        try {
            return open < 0 ? 0 : Integer.parseInt(allocName.substring(open + 1, allocName.length() - 1));
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
