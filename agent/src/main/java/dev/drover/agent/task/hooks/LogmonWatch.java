package dev.drover.agent.task.hooks;

import dev.drover.agent.task.TaskContext;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginLease;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.rpc.Wire;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Notices a task's logmon process dying (kill -9, OOM) and puts a new one in its place while the
 * task runs on: per_task, a new logmon is launched, given the same session (same fifos, same files)
 * and recorded in the hook data for a later agent; shared, the pool replaces the host and restores
 * every session. Meanwhile the task's writes wait in the fifo, which the task's own read-write end
 * keeps from losing its last reader (no SIGPIPE); the new logmon reads them.
 *
 * <p>One platform thread polls every watched process's identity (a /proc read each); a blocking
 * wait per task would pin a carrier thread per task.
 */
final class LogmonWatch {
    private static final Logger LOG = Logger.getLogger(LogmonWatch.class.getName());
    static final long POLL_MILLIS = 200;
    private static final Set<LogmonWatch> WATCHED = ConcurrentHashMap.newKeySet();
    private static volatile Thread poller;

    private final TaskContext ctx;
    private final String hook;
    private final LogConfig config;
    private final Supplier<PluginLease> current;
    private final Consumer<PluginLease> replace;
    private final AtomicBoolean replacing = new AtomicBoolean();
    private volatile boolean cancelled;

    private LogmonWatch(TaskContext ctx, String hook, LogConfig config, Supplier<PluginLease> current, Consumer<PluginLease> replace) {
        this.ctx = ctx;
        this.hook = hook;
        this.config = config;
        this.current = current;
        this.replace = replace;
    }

    /** Watches the lease {@code current} supplies; {@code replace} receives a new one after a death. */
    static LogmonWatch start(TaskContext ctx, String hook, LogConfig config, Supplier<PluginLease> current,
            Consumer<PluginLease> replace) {
        var watch = new LogmonWatch(ctx, hook, config, current, replace);
        WATCHED.add(watch);
        ensurePoller();
        return watch;
    }

    /** How long {@link #cancel} waits for a replacement being launched: the launcher's handshake limit and a little. */
    static final long SETTLE_MILLIS = 35_000;

    /**
     * Stops watching (task stopped, or the agent detaches and leaves logmon running). A replacement
     * being launched is waited for: it is then either recorded (the next agent reattaches to it) or
     * shut down, never left running unrecorded when the agent's JVM exits under the launch.
     */
    void cancel() {
        synchronized (this) {
            cancelled = true;
            WATCHED.remove(this);
        }
        long deadline = System.nanoTime() + SETTLE_MILLIS * 1_000_000;
        while (replacing.get() && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (replacing.get()) LOG.warning("logmon of " + ctx.taskKey() + " was still being replaced after " + SETTLE_MILLIS + " ms");
    }

    private static synchronized void ensurePoller() {
        if (poller != null) return;
        poller = Thread.ofPlatform().daemon().name("logmon-watch").start(() -> {
            while (true) {
                try {
                    Thread.sleep(POLL_MILLIS);
                } catch (InterruptedException e) {
                    return;
                }
                for (var watch : WATCHED) watch.check();
            }
        });
    }

    private void check() {
        var lease = current.get();
        // Only a dead process is replaced: a closed connection to a live logmon (a failed call under
        // load) must not start a second reader of the same fifos.
        if (cancelled || lease == null || lease.isAlive() || lease.reattach().process().isAlive()
                || !replacing.compareAndSet(false, true)) {
            return;
        }
        Thread.ofVirtual().name("logmon-relaunch-" + ctx.taskKey()).start(() -> {
            try {
                relaunch(lease);
            } catch (RuntimeException e) {
                LOG.warning("logmon of " + ctx.taskKey() + " died and could not be replaced (next try in "
                        + POLL_MILLIS + " ms): " + e.getMessage());
            } finally {
                replacing.set(false);
            }
        });
    }

    private void relaunch(PluginLease dead) {
        var plugins = ctx.services.plugins();
        String session = ctx.taskKey();
        LOG.warning("logmon of " + session + " (pid " + dead.reattach().process().pid() + ") died; starting a new one");
        var lease = plugins.acquire(LogmonProtocol.PLUGIN_NAME);
        synchronized (this) {
            if (cancelled) {
                if (plugins.placement() == PluginPlacement.PER_TASK) lease.release();
                return;
            }
            // Shared: acquiring replaced the host, which restored every remembered session (ours too).
            if (plugins.placement() == PluginPlacement.PER_TASK) {
                LogmonProtocol.client(lease.client()).start(session, config);
                ctx.saveHookData(hook, Map.of(LogmonHook.REATTACH_KEY, Wire.JSON.writeValueAsString(lease.reattach())));
            }
            replace.accept(lease);
        }
        dead.release(); // reaps it and removes its socket; the pid is only signalled if still the same process
    }
}
