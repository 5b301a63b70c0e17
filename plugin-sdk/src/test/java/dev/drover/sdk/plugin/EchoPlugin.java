package dev.drover.sdk.plugin;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.RpcServer;

/**
 * A tiny plugin for launcher tests: {@code echo.say} answers with the text it was sent;
 * {@code echo.hold}/{@code echo.release} open and close a "session" (what it supervises, for the idle exit).
 */
public final class EchoPlugin implements PluginFactory {
    public static final String NAME = "echo";

    public record Text(String text) {}

    static final Codec<Text> TEXT = Codec.object(t -> Json.object("text", t.text()), o -> new Text(o.string("text")));
    public static final RpcMethod<Text, Text> SAY = RpcMethod.of("echo.say", TEXT, TEXT);
    public static final RpcMethod<Text, Text> HOLD = RpcMethod.of("echo.hold", TEXT, TEXT);
    public static final RpcMethod<Text, Text> RELEASE = RpcMethod.of("echo.release", TEXT, TEXT);

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void register(RpcServer server, PluginHost host) {
        server.register(SAY, (session, request) -> new Text(request.text()));
        var held = java.util.concurrent.ConcurrentHashMap.<String>newKeySet();
        server.register(HOLD, (session, request) -> new Text(held.add(request.text()) ? "held" : "already"));
        server.register(RELEASE, (session, request) -> new Text(held.remove(request.text()) ? "released" : "unknown"));
        host.supervisesNothingWhen(held::isEmpty);
    }
}
