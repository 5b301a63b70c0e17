package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;

/**
 * A step around the driver's lifecycle. A hook implements only the phases it needs; the task
 * runner lists its hooks in execution order in one place ({@code TaskRunner.hooks}).
 */
public sealed interface TaskHook permits TaskHook.Prestart, TaskHook.Stop {
    String name();

    /** Before every start attempt. A failure goes through the restart policy. */
    non-sealed interface Prestart extends TaskHook {
        void prestart(TaskContext ctx) throws Exception;
    }

    /** Once, when the task is dead for good (no restart follows). */
    non-sealed interface Stop extends TaskHook {
        void stop(TaskContext ctx);
    }
}
