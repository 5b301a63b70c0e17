package dev.drover.sdk.plugin;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcMethod;

/** Calls every plugin process answers, whatever it hosts. */
public final class PluginProtocol {
    private PluginProtocol() {}

    /** Prefix of the single handshake line a plugin prints on stdout when it is ready. */
    public static final String HANDSHAKE_PREFIX = "DROVER_PLUGIN";

    /** Who answers on this socket: used on reattach to make sure it is the process we recorded. */
    public record Info(String name, int protocolVersion, long pid, String version) {}

    static final Codec<Info> INFO_CODEC = Codec.object(
            i -> Json.object("name", i.name(), "protocolVersion", i.protocolVersion(), "pid", i.pid(), "version", i.version()),
            o -> new Info(o.string("name"), o.intValue("protocolVersion"), o.longValue("pid"), o.string("version")));

    public static final RpcMethod<Empty, Info> INFO = RpcMethod.of("plugin.info", Codec.EMPTY, INFO_CODEC);
    /** Asks the plugin process to exit after answering. */
    public static final RpcMethod<Empty, Empty> SHUTDOWN = RpcMethod.of("plugin.shutdown", Codec.EMPTY, Codec.EMPTY);
}
