package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;
import dev.drover.sdk.env.TaskEnv;
import java.util.LinkedHashMap;

/**
 * Builds the task's environment through the shared {@link TaskEnv} builder and interpolates the
 * driver config with it. Paths follow the driver's filesystem isolation.
 */
public final class EnvHook implements TaskHook.Prestart {
    @Override
    public String name() {
        return "env";
    }

    @Override
    public void prestart(TaskContext ctx) {
        var meta = new LinkedHashMap<String, String>();
        meta.putAll(ctx.job.meta());
        meta.putAll(ctx.group.meta());
        meta.putAll(ctx.task.meta());
        var res = ctx.task.resources();
        var env = TaskEnv.builder()
                .alloc(ctx.alloc.id(), ctx.alloc.name(), ctx.alloc.index())
                .job(ctx.job.id(), ctx.job.name(), "")
                .group(ctx.group.name())
                .task(ctx.task.name())
                .placement(ctx.job.namespace(), ctx.job.region(), ctx.services.node().datacenter())
                .resources(res.cpu(), res.memoryMB(), res.memoryMaxMB())
                .dirs(ctx.driver.capabilities().fsIsolation(), ctx.allocDir.root(), ctx.task.name())
                .ports(ctx.alloc.ports(), null)
                .meta(meta)
                .hostEnv(ctx.services.hostEnv(), ctx.services.envDenylist())
                .taskEnv(ctx.task.env())
                .node(ctx.services.node())
                .build();
        ctx.setEnv(env, env.interpolateConfig(ctx.task.config()));
    }
}
