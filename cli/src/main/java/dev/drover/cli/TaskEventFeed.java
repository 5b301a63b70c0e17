package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import dev.drover.cli.Model.TaskEvent;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The task events of an allocation that were not shown yet, for commands that poll while they
 * wait ({@code job run}, {@code alloc logs}). A task state keeps only its newest events, so events
 * are recognised by their content, not by their position in the list.
 */
final class TaskEventFeed {
    /** One event to show: {@code line} is "Type: message" (or just the type when it says it all). */
    record Shown(String task, String line) {}

    private final Set<String> seen = new HashSet<>();

    /** The events of every task (or of {@code onlyTask}, when not null) not returned before, oldest first. */
    List<Shown> newEvents(Allocation a, String onlyTask) {
        List<Shown> out = new ArrayList<>();
        a.taskStates().forEach((task, state) -> {
            if (onlyTask != null && !onlyTask.equals(task)) {
                return;
            }
            for (TaskEvent e : state.events()) {
                if (seen.add(a.id() + "\0" + task + "\0" + e.time() + "\0" + e.type() + "\0" + e.description())) {
                    String message = e.description();
                    out.add(new Shown(task, message.isEmpty() || message.equals(e.type()) ? e.type() : e.type() + ": " + message));
                }
            }
        });
        return out;
    }

    List<Shown> newEvents(Allocation a) {
        return newEvents(a, null);
    }
}
