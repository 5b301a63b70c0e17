package dev.drover.sdk.plugin;

import dev.drover.sdk.rpc.RpcClient;

/**
 * One task's use of a plugin process. With {@link PluginPlacement#PER_TASK} the lease owns the
 * process; with {@link PluginPlacement#SHARED} many leases share one host process and releasing
 * a lease leaves the host running.
 */
public interface PluginLease {
    RpcClient client();

    /** What to persist to find this plugin again after an agent restart. */
    PluginReattach reattach();

    boolean isAlive();

    /** The task is done with the plugin: a per-task process is shut down, a shared host stays. */
    void release();

    /** The agent is going away: drop the connection, leave the process running. */
    void detach();
}
