package dev.drover.sdk.executor;

import static dev.drover.sdk.executor.ExecutorProtocol.*;

import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcServer;

/** Serves an {@link Executor} implementation over the plugin RPC. */
public final class ExecutorServer {
    private ExecutorServer() {}

    public static void register(RpcServer server, Executor executor) {
        server.register(LAUNCH, executor::launch)
                .register(ADOPT, (s, r) -> executor.adopt(s, r.command(), r.pid(), r.startTicks()))
                .register(WAIT, (s, r) -> executor.await(s))
                .register(SIGNAL, (s, r) -> { executor.signal(s, r.signal()); return Empty.INSTANCE; })
                .register(SHUTDOWN, (s, r) -> { executor.shutdown(s, r.signal(), r.graceMillis()); return Empty.INSTANCE; })
                .register(DESTROY, (s, r) -> { executor.destroy(s); return Empty.INSTANCE; })
                .register(STATS, (s, r) -> executor.stats(s))
                .register(UPDATE_RESOURCES, (s, r) -> { executor.updateResources(s, r); return Empty.INSTANCE; })
                .register(EXEC, (s, r) -> executor.exec(s, r.timeoutMillis(), r.cmd(), r.args()))
                .register(EXEC_STREAM, (s, r) -> ExecStreamSocket.serve(executor, s, r))
                .register(VERSION_CALL, (s, r) -> new VersionResponse(executor.version()));
    }
}
