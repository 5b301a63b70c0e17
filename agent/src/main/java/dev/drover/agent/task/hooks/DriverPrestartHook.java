package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;
import dev.drover.sdk.driver.TaskPrestarter;

/** Lets a driver do visible work before the start (e.g. an image pull), if it has any. */
public final class DriverPrestartHook implements TaskHook.Prestart {
    private final java.util.function.Function<TaskContext, dev.drover.sdk.driver.TaskConfig> configFor;

    public DriverPrestartHook(java.util.function.Function<TaskContext, dev.drover.sdk.driver.TaskConfig> configFor) {
        this.configFor = configFor;
    }

    @Override
    public String name() {
        return "driver_prestart";
    }

    @Override
    public void prestart(TaskContext ctx) {
        if (ctx.driver instanceof TaskPrestarter prestarter) {
            prestarter.prestart(configFor.apply(ctx));
        }
    }
}
