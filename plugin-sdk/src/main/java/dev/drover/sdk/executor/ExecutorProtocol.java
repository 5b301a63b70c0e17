package dev.drover.sdk.executor;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcMethod;
import java.util.List;

/**
 * The executor's wire contract: one request and one response type per call. A field added to a
 * request record travels automatically; {@code ExecutorProtocolTest} checks every field survives.
 */
public final class ExecutorProtocol {
    private ExecutorProtocol() {}

    public static final String PLUGIN_NAME = "executor";
    public static final String VERSION = "2.0.0";

    public record SignalRequest(String signal) {}
    public record ShutdownRequest(String signal, long graceMillis) {}
    public record ExecRequest(long timeoutMillis, String cmd, List<String> args) {}
    public record VersionResponse(String version) {}
    /** Opens an interactive exec; the answer names a one-connection socket, see {@link ExecStreamSocket}. */
    public record ExecStreamRequest(List<String> command, boolean tty) {}
    public record ExecStreamResponse(String socket) {}
    public record AdoptRequest(ExecCommand command, int pid, long startTicks) {}

    public static final RpcMethod<ExecCommand, ProcessState> LAUNCH = RpcMethod.of("executor.launch", ExecCommand.class, ProcessState.class);
    public static final RpcMethod<AdoptRequest, ProcessState> ADOPT = RpcMethod.of("executor.adopt", AdoptRequest.class, ProcessState.class);
    public static final RpcMethod<Empty, ProcessState> WAIT = RpcMethod.of("executor.wait", Empty.class, ProcessState.class);
    public static final RpcMethod<SignalRequest, Empty> SIGNAL = RpcMethod.of("executor.signal", SignalRequest.class, Empty.class);
    public static final RpcMethod<ShutdownRequest, Empty> SHUTDOWN = RpcMethod.of("executor.shutdown", ShutdownRequest.class, Empty.class);
    public static final RpcMethod<Empty, Empty> DESTROY = RpcMethod.of("executor.destroy", Empty.class, Empty.class);
    public static final RpcMethod<Empty, ResourceUsage> STATS = RpcMethod.of("executor.stats", Empty.class, ResourceUsage.class);
    public static final RpcMethod<Resources, Empty> UPDATE_RESOURCES = RpcMethod.of("executor.update_resources", Resources.class, Empty.class);
    public static final RpcMethod<ExecRequest, ExecResult> EXEC = RpcMethod.of("executor.exec", ExecRequest.class, ExecResult.class);
    public static final RpcMethod<ExecStreamRequest, ExecStreamResponse> EXEC_STREAM = RpcMethod.of("executor.exec_stream", ExecStreamRequest.class, ExecStreamResponse.class);
    public static final RpcMethod<Empty, VersionResponse> VERSION_CALL = RpcMethod.of("executor.version", Empty.class, VersionResponse.class);
}
