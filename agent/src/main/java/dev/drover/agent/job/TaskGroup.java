package dev.drover.agent.job;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Tasks that are placed together; {@code count} copies of the group run.
 *
 * @param restart the group's policy, which tasks inherit field by field
 * @param network null when the group asks for no network
 */
public record TaskGroup(String name, int count, RestartPolicy restart, Network network, Map<String, String> meta,
                        List<Task> tasks) {

    public TaskGroup {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(restart, "restart");
        meta = Checks.orderedCopy(meta, "meta");
        tasks = List.copyOf(tasks);
        var checks = new Checks()
                .check(!name.isBlank(), "name", "group name must not be blank")
                .check(count >= 0, "count", "count must not be negative, got " + count)
                .check(!tasks.isEmpty(), "tasks", "group " + Checks.quote(name) + " has no tasks")
                .unique(tasks, Task::name, "tasks", task -> "duplicate task " + Checks.quote(task)
                        + " in group " + Checks.quote(name));
        boolean leaderSeen = false;
        for (int i = 0; i < tasks.size(); i++) {
            if (tasks.get(i).leader()) {
                checks.check(!leaderSeen, "tasks", i, "only one task in group " + Checks.quote(name) + " may be the leader");
                leaderSeen = true;
            }
        }
        checks.throwIfAny();
    }
}
