package dev.drover.sdk.plugin;

import dev.drover.sdk.rpc.RpcServer;

/**
 * A plugin implementation that {@link PluginMain} can host, found through {@link java.util.ServiceLoader}.
 * Registering every implementation in {@code META-INF/services} keeps the plugin set explicit and lets an
 * external driver ship the executor it was built with on its own classpath.
 */
public interface PluginFactory {
    /** The name the launcher asks for, e.g. "executor" or "logmon". */
    String name();

    /** Registers this plugin's RPC methods; {@code host} lets the plugin ask to exit. */
    void register(RpcServer server, PluginHost host);
}
