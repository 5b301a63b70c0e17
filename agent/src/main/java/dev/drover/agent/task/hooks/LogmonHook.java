package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.plugin.PluginLease;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.plugin.PluginReattach;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.logging.Logger;

/**
 * Starts the task's logmon plugin once and keeps it for the task's whole life (across restarts);
 * after an agent restart it reattaches through the hook data instead of starting a second one.
 * Skipped when the task's logs are disabled or the driver collects logs itself.
 * <p>
 * The session is set up while the driver launches the task: prestart creates the fifos and holds
 * them open read-write (so they have a reader and the executor need not wait), sends the session
 * start without waiting, and the task runner calls {@link #awaitSession} once the task is launched.
 * Output written meanwhile waits in the pipe for logmon.
 */
public final class LogmonHook implements TaskHook.Prestart, TaskHook.Stop {
    private static final Logger LOG = Logger.getLogger(LogmonHook.class.getName());
    static final String REATTACH_KEY = "reattach_config";

    private volatile PluginLease plugin; // replaced by the watch if logmon dies
    private LogmonWatch watch;
    private PendingSession pending; // the session start in flight, until awaitSession/abandon

    /** A session start on its way, and our read-write handles that keep its fifos readable meanwhile. */
    private record PendingSession(CompletableFuture<Void> started, List<FileChannel> fifos) {
        void close() {
            for (var fifo : fifos) {
                try {
                    fifo.close();
                } catch (IOException ignored) {
                    // nothing to do: the handle only held the pipe open
                }
            }
        }
    }

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
        abandon(); // a previous attempt's start, should one be left
        var fifos = holdOpen(Path.of(config.stdoutFifo()), Path.of(config.stderrFifo()));
        String session = ctx.taskKey();
        var lease = plugin;
        var started = new CompletableFuture<Void>();
        Thread.ofVirtual().name("logmon-start-" + session).start(() -> {
            try {
                LogmonProtocol.client(lease.client()).start(session, config);
                ctx.services.plugins().remember(LogmonProtocol.PLUGIN_NAME, session,
                        host -> LogmonProtocol.client(host).start(session, config));
                started.complete(null);
            } catch (Throwable e) {
                started.completeExceptionally(e);
            }
        });
        pending = new PendingSession(started, fifos);
        ctx.setOutput(config.stdoutFifo(), config.stderrFifo());
        if (watch != null) watch.cancel();
        watch = LogmonWatch.start(ctx, name(), config, () -> plugin, replacement -> plugin = replacement);
    }

    /** Creates the fifos if missing and opens each read-write (never blocks; counts as a reader). */
    private static List<FileChannel> holdOpen(Path... fifos) {
        var open = new ArrayList<FileChannel>();
        try {
            for (Path fifo : fifos) {
                Native.mkfifo(fifo, 0600);
                open.add(FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
            }
            return open;
        } catch (IOException | RuntimeException e) {
            new PendingSession(null, open).close();
            throw DroverException.internal("failed to create the task's log fifos: " + e.getMessage(), e);
        }
    }

    /** Waits for the session prestart began; throws if logmon could not start it. */
    public void awaitSession() {
        var p = pending;
        if (p == null) return;
        pending = null;
        try {
            p.started().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof DroverException de) throw de;
            throw DroverException.internal("logmon start failed: " + e.getCause(), e.getCause());
        } finally {
            p.close();
        }
    }

    /** Settles a session start nobody waits for any more (the start attempt failed elsewhere). */
    public void abandon() {
        try {
            awaitSession();
        } catch (RuntimeException e) {
            LOG.fine("logmon session start of an abandoned attempt failed: " + e.getMessage());
        }
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
        if (watch != null) watch.cancel();
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

    /**
     * The session's log counters, from the logmon serving it now (the watch swaps in a new one if
     * it dies); empty when logs are not collected, or logmon does not answer.
     */
    public Optional<LogStats> stats(TaskContext ctx) {
        var lease = plugin;
        if (lease == null) return Optional.empty();
        try {
            return Optional.of(LogmonProtocol.client(lease.client()).stats(ctx.taskKey()));
        } catch (DroverException e) {
            return Optional.empty();
        }
    }

    /** The agent is shutting down and leaves the task running: just drop the connection. */
    public void detach() {
        if (watch != null) watch.cancel();
        if (plugin != null) plugin.detach();
        plugin = null;
    }
}
