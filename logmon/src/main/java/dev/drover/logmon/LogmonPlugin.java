package dev.drover.logmon;

import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginFactory;
import dev.drover.sdk.plugin.PluginHost;
import dev.drover.sdk.rpc.RpcServer;

/**
 * The logmon plugin: serves {@link LogmonService} over the plugin protocol.
 *
 * <p>{@link PluginHost} offers no "about to exit" callback, and {@code PluginMain} leaves through
 * {@code System.exit} after a shutdown call; so the sessions are stopped (drained, flushed,
 * closed) from a JVM shutdown hook, which also covers SIGTERM/SIGINT. A SIGKILL loses nothing:
 * output leaves the fifo only by being spliced into a log file ({@link FifoCopier}), so what the
 * killed process had not written waits in the fifo for the next logmon.
 */
public final class LogmonPlugin implements PluginFactory {
    @Override
    public String name() {
        return LogmonProtocol.PLUGIN_NAME;
    }

    @Override
    public void register(RpcServer server, PluginHost host) {
        var service = new LogmonService();
        LogmonProtocol.register(server, service);
        host.supervisesNothingWhen(() -> service.sessions().isEmpty());
        Runtime.getRuntime().addShutdownHook(Thread.ofPlatform().name("logmon-shutdown").unstarted(() -> {
            // Plain stderr (the plugin log): JUL's own shutdown hook may close its handlers meanwhile.
            var sessions = service.sessions();
            service.stopAll();
            if (!sessions.isEmpty()) System.err.println("logmon: exiting; stopped and flushed sessions " + sessions);
        }));
    }
}
