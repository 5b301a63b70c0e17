package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginLease;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.plugin.PluginReattach;
import dev.drover.sdk.rpc.Wire;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Starts the task's logmon plugin once and keeps it for the task's whole life (across restarts);
 * after an agent restart it reattaches through the hook data instead of starting a second one.
 * Skipped when the task's logs are disabled or the driver collects logs itself.
 */
public final class LogmonHook implements TaskHook.Prestart, TaskHook.Stop {
    private static final Logger LOG = Logger.getLogger(LogmonHook.class.getName());
    static final String REATTACH_KEY = "reattach_config";

    private PluginLease plugin;

    @Override
    public String name() {
        return "logmon";
    }

    @Override
    public void prestart(TaskContext ctx) {
        if (ctx.task.logs().disabled() || ctx.driver.capabilities().disableLogCollection()) {
            ctx.setOutput("/dev/null", "/dev/null");
            return;
        }
        if (plugin == null || !plugin.isAlive()) plugin = reattachOrLaunch(ctx);
        var logs = ctx.task.logs();
        String task = ctx.task.name();
        var config = new LogConfig(ctx.allocDir.logsDir().toString(), task + ".stdout", task + ".stderr",
                ctx.allocDir.stdoutFifo(task).toString(), ctx.allocDir.stderrFifo(task).toString(),
                logs.maxFiles(), logs.maxFileSizeMB());
        LogmonProtocol.client(plugin.client()).start(ctx.taskKey(), config);
        String session = ctx.taskKey();
        ctx.services.plugins().remember(LogmonProtocol.PLUGIN_NAME, session, host -> LogmonProtocol.client(host).start(session, config));
        ctx.setOutput(config.stdoutFifo(), config.stderrFifo());
    }

    private PluginLease reattachOrLaunch(TaskContext ctx) {
        String saved = ctx.hookData(name()).get(REATTACH_KEY);
        if (saved != null) {
            try {
                return ctx.services.plugins().reattach(Wire.JSON.readValue(saved, PluginReattach.class));
            } catch (RuntimeException e) {
                LOG.info("logmon for " + ctx.taskKey() + " could not be reattached, starting a new one: " + e.getMessage());
            }
        }
        PluginLease launched;
        try {
            launched = ctx.services.plugins().acquire(LogmonProtocol.PLUGIN_NAME);
        } catch (DroverException e) {
            throw new DroverException(e.kind(), "failed to launch logmon: " + e.getMessage(), true, e);
        }
        ctx.saveHookData(name(), Map.of(REATTACH_KEY, Wire.JSON.writeValueAsString(launched.reattach())));
        return launched;
    }

    @Override
    public void stop(TaskContext ctx) {
        ctx.services.plugins().forget(LogmonProtocol.PLUGIN_NAME, ctx.taskKey());
        if (plugin != null && !plugin.isAlive() && ctx.services.plugins().placement() == PluginPlacement.SHARED) {
            plugin = ctx.services.plugins().acquire(LogmonProtocol.PLUGIN_NAME); // our host was replaced
        }
        if (plugin == null) {
            String saved = ctx.hookData(name()).get(REATTACH_KEY);
            if (saved == null) return;
            try {
                plugin = ctx.services.plugins().reattach(Wire.JSON.readValue(saved, PluginReattach.class));
            } catch (RuntimeException e) {
                return; // already gone
            }
        }
        try {
            LogmonProtocol.client(plugin.client()).stop(ctx.taskKey());
        } catch (DroverException e) {
            LOG.warning("logmon stop for " + ctx.taskKey() + " failed: " + e.getMessage());
        }
        plugin.release();
        plugin = null;
    }

    /** The agent is shutting down and leaves the task running: just drop the connection. */
    public void detach() {
        if (plugin != null) plugin.detach();
        plugin = null;
    }
}
