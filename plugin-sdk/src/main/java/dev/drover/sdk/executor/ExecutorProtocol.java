package dev.drover.sdk.executor;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcMethod;
import java.util.List;

/**
 * The executor's wire contract: one request and one response type per call. Each record has a hand-written
 * {@link Codec} (here and in {@link ExecutorCodecs}); {@code ProtocolCodecTest} checks every field survives.
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

    static final Codec<SignalRequest> SIGNAL_REQUEST = Codec.object(
            r -> Json.object("signal", r.signal()), o -> new SignalRequest(o.string("signal")));
    static final Codec<ShutdownRequest> SHUTDOWN_REQUEST = Codec.object(
            r -> Json.object("signal", r.signal(), "graceMillis", r.graceMillis()),
            o -> new ShutdownRequest(o.string("signal"), o.longValue("graceMillis")));
    static final Codec<ExecRequest> EXEC_REQUEST = Codec.object(
            r -> Json.object("timeoutMillis", r.timeoutMillis(), "cmd", r.cmd(), "args", r.args()),
            o -> new ExecRequest(o.longValue("timeoutMillis"), o.string("cmd"), o.strings("args")));
    static final Codec<VersionResponse> VERSION_RESPONSE = Codec.object(
            r -> Json.object("version", r.version()), o -> new VersionResponse(o.string("version")));
    static final Codec<ExecStreamRequest> EXEC_STREAM_REQUEST = Codec.object(
            r -> Json.object("command", r.command(), "tty", r.tty()),
            o -> new ExecStreamRequest(o.strings("command"), o.bool("tty")));
    static final Codec<ExecStreamResponse> EXEC_STREAM_RESPONSE = Codec.object(
            r -> Json.object("socket", r.socket()), o -> new ExecStreamResponse(o.string("socket")));
    static final Codec<AdoptRequest> ADOPT_REQUEST = Codec.object(
            r -> Json.object("command", ExecutorCodecs.EXEC_COMMAND.encode(r.command()), "pid", r.pid(), "startTicks", r.startTicks()),
            o -> new AdoptRequest(o.object("command", ExecutorCodecs.EXEC_COMMAND), o.intValue("pid"), o.longValue("startTicks")));

    public static final RpcMethod<ExecCommand, ProcessState> LAUNCH = RpcMethod.of("executor.launch", ExecutorCodecs.EXEC_COMMAND, ExecutorCodecs.PROCESS_STATE);
    public static final RpcMethod<AdoptRequest, ProcessState> ADOPT = RpcMethod.of("executor.adopt", ADOPT_REQUEST, ExecutorCodecs.PROCESS_STATE);
    public static final RpcMethod<Empty, ProcessState> WAIT = RpcMethod.of("executor.wait", Codec.EMPTY, ExecutorCodecs.PROCESS_STATE);
    public static final RpcMethod<SignalRequest, Empty> SIGNAL = RpcMethod.of("executor.signal", SIGNAL_REQUEST, Codec.EMPTY);
    public static final RpcMethod<ShutdownRequest, Empty> SHUTDOWN = RpcMethod.of("executor.shutdown", SHUTDOWN_REQUEST, Codec.EMPTY);
    public static final RpcMethod<Empty, Empty> DESTROY = RpcMethod.of("executor.destroy", Codec.EMPTY, Codec.EMPTY);
    public static final RpcMethod<Empty, ResourceUsage> STATS = RpcMethod.of("executor.stats", Codec.EMPTY, ExecutorCodecs.RESOURCE_USAGE);
    public static final RpcMethod<Resources, Empty> UPDATE_RESOURCES = RpcMethod.of("executor.update_resources", ExecutorCodecs.RESOURCES, Codec.EMPTY);
    public static final RpcMethod<ExecRequest, ExecResult> EXEC = RpcMethod.of("executor.exec", EXEC_REQUEST, ExecutorCodecs.EXEC_RESULT);
    public static final RpcMethod<ExecStreamRequest, ExecStreamResponse> EXEC_STREAM = RpcMethod.of("executor.exec_stream", EXEC_STREAM_REQUEST, EXEC_STREAM_RESPONSE);
    public static final RpcMethod<Empty, VersionResponse> VERSION_CALL = RpcMethod.of("executor.version", Codec.EMPTY, VERSION_RESPONSE);
}
