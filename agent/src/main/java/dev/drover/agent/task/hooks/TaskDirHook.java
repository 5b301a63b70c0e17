package dev.drover.agent.task.hooks;

import dev.drover.agent.task.EventTypes;
import dev.drover.agent.task.TaskContext;
import java.util.Map;

/** Builds the task's directory (local/, secrets/, tmp/). Cheap and idempotent across restarts. */
public final class TaskDirHook implements TaskHook.Prestart {
    @Override
    public String name() {
        return "task_dir";
    }

    @Override
    public void prestart(TaskContext ctx) {
        boolean built = "true".equals(ctx.hookData(name()).get("is_done"));
        if (!built) ctx.emit(EventTypes.setup("Building Task Directory"));
        ctx.allocDir.buildTask(ctx.task.name());
        if (!built) ctx.saveHookData(name(), Map.of("is_done", "true"));
    }
}
