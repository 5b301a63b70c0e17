package dev.drover.sdk.plugin;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.RpcServer;

/** A tiny plugin for launcher tests: {@code echo.say} answers with the text it was sent. */
public final class EchoPlugin implements PluginFactory {
    public static final String NAME = "echo";

    public record Text(String text) {}

    static final Codec<Text> TEXT = Codec.object(t -> Json.object("text", t.text()), o -> new Text(o.string("text")));
    public static final RpcMethod<Text, Text> SAY = RpcMethod.of("echo.say", TEXT, TEXT);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void register(RpcServer server, PluginHost host) {
        server.register(SAY, (session, request) -> new Text(request.text()));
    }
}
