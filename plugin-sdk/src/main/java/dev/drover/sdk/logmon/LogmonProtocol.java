package dev.drover.sdk.logmon;

import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcClient;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.RpcServer;

/** The logmon wire contract, its client and its server binding. */
public final class LogmonProtocol {
    private LogmonProtocol() {}

    public static final String PLUGIN_NAME = "logmon";

    public static final RpcMethod<LogConfig, Empty> START = RpcMethod.of("logmon.start", LogConfig.class, Empty.class);
    public static final RpcMethod<Empty, Empty> STOP = RpcMethod.of("logmon.stop", Empty.class, Empty.class);

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
        };
    }

    public static void register(RpcServer server, Logmon logmon) {
        server.register(START, (s, r) -> { logmon.start(s, r); return Empty.INSTANCE; })
                .register(STOP, (s, r) -> { logmon.stop(s); return Empty.INSTANCE; });
    }
}
