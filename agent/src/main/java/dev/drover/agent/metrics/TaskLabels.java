package dev.drover.agent.metrics;

import dev.drover.agent.alloc.Allocation;
import java.util.List;

/**
 * The identity every per-task series carries as labels (not baked into the name, as cAdvisor
 * users ask of Nomad): Nomad's label names plus the allocation's index within its group.
 */
public record TaskLabels(String namespace, String job, String group, String task, String allocId, int allocIndex) {
    public static final List<String> NAMES = List.of("namespace", "job", "task_group", "task", "alloc_id", "alloc_index");

    public static TaskLabels of(Allocation alloc, String task) {
        return new TaskLabels(alloc.namespace(), alloc.jobId(), alloc.taskGroup(), task, alloc.id(), alloc.index());
    }

    public String[] values() {
        return new String[] {namespace, job, group, task, allocId, Integer.toString(allocIndex)};
    }

    /** "alloc id/task": the key of a task everywhere in the agent. */
    public String key() {
        return allocId + "/" + task;
    }
}
