package dev.drover.sdk.logmon;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcClient;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.RpcServer;

/** The logmon wire contract, its client and its server binding. */
public final class LogmonProtocol {
    private LogmonProtocol() {}

    public static final String PLUGIN_NAME = "logmon";

    static final Codec<LogConfig> LOG_CONFIG = Codec.object(
            c -> Json.object("logDir", c.logDir(), "stdoutFileBase", c.stdoutFileBase(), "stderrFileBase", c.stderrFileBase(),
                    "stdoutFifo", c.stdoutFifo(), "stderrFifo", c.stderrFifo(), "maxFiles", c.maxFiles(), "maxFileSizeMB", c.maxFileSizeMB()),
            o -> new LogConfig(o.string("logDir"), o.string("stdoutFileBase"), o.string("stderrFileBase"), o.string("stdoutFifo"),
                    o.string("stderrFifo"), o.intValue("maxFiles"), o.intValue("maxFileSizeMB")));

    public static final RpcMethod<LogConfig, Empty> START = RpcMethod.of("logmon.start", LOG_CONFIG, Codec.EMPTY);
    public static final RpcMethod<Empty, Empty> STOP = RpcMethod.of("logmon.stop", Codec.EMPTY, Codec.EMPTY);
    public static final RpcMethod<Empty, LogStats> STATS = RpcMethod.of("logmon.stats", Codec.EMPTY, LogStatsCodec.STATS);

    public static Logmon client(RpcClient rpc) {
        return new Logmon() {
            @Override
            public void start(String session, LogConfig config) {
                rpc.call(START, session, config);
            }

            @Override
            public void stop(String session) {
                rpc.call(STOP, session, Empty.INSTANCE);
            }

            @Override
            public LogStats stats(String session) {
                return rpc.call(STATS, session, Empty.INSTANCE);
            }
        };
    }

    public static void register(RpcServer server, Logmon logmon) {
        server.register(START, (s, r) -> { logmon.start(s, r); return Empty.INSTANCE; })
                .register(STOP, (s, r) -> { logmon.stop(s); return Empty.INSTANCE; })
                .register(STATS, (s, r) -> logmon.stats(s));
    }
}
