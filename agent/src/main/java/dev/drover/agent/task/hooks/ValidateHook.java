package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;

/** Checks the task's driver config once more before starting (the job may predate a driver change). */
public final class ValidateHook implements TaskHook.Prestart {
    @Override
    public String name() {
        return "validate";
    }

    @Override
    public void prestart(TaskContext ctx) {
        ctx.driver.validateTaskConfig(ctx.task.config());
    }
}
