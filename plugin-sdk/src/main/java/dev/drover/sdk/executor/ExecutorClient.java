package dev.drover.sdk.executor;

import static dev.drover.sdk.executor.ExecutorProtocol.*;

import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcClient;
import java.util.List;

/** {@link Executor} over the plugin RPC. */
public final class ExecutorClient implements Executor {
    private final RpcClient rpc;

    public ExecutorClient(RpcClient rpc) {
        this.rpc = rpc;
    }

    @Override
    public ProcessState launch(String session, ExecCommand command) {
        return rpc.call(LAUNCH, session, command);
    }

    @Override
    public ProcessState adopt(String session, ExecCommand command, int pid, long startTicks) {
        return rpc.call(ADOPT, session, new AdoptRequest(command, pid, startTicks));
    }

    @Override
    public ProcessState await(String session) {
        return rpc.call(WAIT, session, Empty.INSTANCE);
    }

    @Override
    public void signal(String session, String signal) {
        rpc.call(SIGNAL, session, new SignalRequest(signal));
    }

    @Override
    public void shutdown(String session, String signal, long graceMillis) {
        rpc.call(SHUTDOWN, session, new ShutdownRequest(signal, graceMillis));
    }

    @Override
    public void destroy(String session) {
        rpc.call(DESTROY, session, Empty.INSTANCE);
    }

    @Override
    public ResourceUsage stats(String session) {
        return rpc.call(STATS, session, Empty.INSTANCE);
    }

    @Override
    public void updateResources(String session, Resources resources) {
        rpc.call(UPDATE_RESOURCES, session, resources);
    }

    @Override
    public ExecResult exec(String session, long timeoutMillis, String cmd, List<String> args) {
        return rpc.call(EXEC, session, new ExecRequest(timeoutMillis, cmd, args));
    }

    /** Opens the exec over RPC, then streams on the per-exec socket the executor answered with. */
    @Override
    public int execStreaming(String session, List<String> command, boolean tty, ExecStream stream) {
        var opened = rpc.call(EXEC_STREAM, session, new ExecStreamRequest(command, tty));
        return ExecStreamSocket.attach(java.nio.file.Path.of(opened.socket()), stream);
    }

    @Override
    public String version() {
        return rpc.call(VERSION_CALL, "", Empty.INSTANCE).version();
    }
}
