package dev.drover.executor;

import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ExecutorServer;
import dev.drover.sdk.plugin.PluginFactory;
import dev.drover.sdk.plugin.PluginHost;
import dev.drover.sdk.rpc.RpcServer;
import java.util.logging.Logger;

/** Hosts both executors (universal and isolated, see {@link RoutingExecutor}) as the "executor" plugin. */
public final class ExecutorPlugin implements PluginFactory {
    private static final Logger LOG = Logger.getLogger(ExecutorPlugin.class.getName());

    @Override
    public String name() {
        return ExecutorProtocol.PLUGIN_NAME;
    }

    @Override
    public void register(RpcServer server, PluginHost host) {
        var executor = RoutingExecutor.forHost();
        LOG.info("executor using " + executor.cgroups());
        ExecutorServer.register(server, executor);
        host.supervisesNothingWhen(executor::supervisesNothing);
    }
}
