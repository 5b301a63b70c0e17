package dev.drover.drivers.docker.logger;

import dev.drover.sdk.plugin.PluginFactory;
import dev.drover.sdk.plugin.PluginHost;
import dev.drover.sdk.rpc.RpcServer;

/** The docker_logger plugin: serves {@link DockerLoggerService} over the plugin protocol. */
public final class DockerLoggerPlugin implements PluginFactory {
    @Override
    public String name() {
        return DockerLoggerProtocol.PLUGIN_NAME;
    }

    @Override
    public void register(RpcServer server, PluginHost host) {
        var service = new DockerLoggerService();
        DockerLoggerProtocol.register(server, service);
        host.supervisesNothingWhen(service::followsNothing);
    }
}
