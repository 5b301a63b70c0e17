package dev.drover.drivers.docker.logger;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcClient;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.RpcServer;

/**
 * The docker_logger wire contract (see docs/docker.md): the session is the driver's task id; one
 * session follows one container's log stream into the task's logmon fifos.
 */
public final class DockerLoggerProtocol {
    private DockerLoggerProtocol() {}

    public static final String PLUGIN_NAME = "docker_logger";

    /**
     * Follow container {@code containerId} on {@code endpoint}; stdout frames go to {@code
     * stdoutFifo}, stderr frames to {@code stderrFifo} ("/dev/null" discards). {@code checkpoint}
     * is a file holding the timestamp of the last line delivered: a logger that starts over
     * resumes right after it, so a replaced logger neither repeats nor skips lines.
     */
    public record Start(String endpoint, String containerId, String stdoutFifo, String stderrFifo, String checkpoint) {
        public Start {
            if (containerId == null || containerId.isBlank()) throw new IllegalArgumentException("containerId is required");
        }
    }

    /** Let the session finish the stream (the container has exited) for up to {@code drainMillis}, then end it. */
    public record Stop(long drainMillis) {}

    static final Codec<Start> START_CODEC = Codec.object(
            s -> Json.object("endpoint", s.endpoint(), "containerId", s.containerId(), "stdoutFifo", s.stdoutFifo(),
                    "stderrFifo", s.stderrFifo(), "checkpoint", s.checkpoint()),
            o -> new Start(o.string("endpoint"), o.string("containerId"), o.string("stdoutFifo"), o.string("stderrFifo"),
                    o.string("checkpoint")));
    static final Codec<Stop> STOP_CODEC = Codec.object(
            s -> Json.object("drainMillis", s.drainMillis()), o -> new Stop(o.longValue("drainMillis")));

    public static final RpcMethod<Start, Empty> START = RpcMethod.of("docker_logger.start", START_CODEC, Codec.EMPTY);
    public static final RpcMethod<Stop, Empty> STOP = RpcMethod.of("docker_logger.stop", STOP_CODEC, Codec.EMPTY);

    /** The same interface in-process and over the wire. */
    public interface DockerLogger {
        /** Idempotent: a session that already follows its container is left alone. */
        void start(String session, Start request);

        void stop(String session, Stop request);
    }

    public static DockerLogger client(RpcClient rpc) {
        return new DockerLogger() {
            @Override
            public void start(String session, Start request) {
                rpc.call(START, session, request);
            }

            @Override
            public void stop(String session, Stop request) {
                rpc.call(STOP, session, request);
            }
        };
    }

    public static void register(RpcServer server, DockerLogger logger) {
        server.register(START, (s, r) -> { logger.start(s, r); return Empty.INSTANCE; })
                .register(STOP, (s, r) -> { logger.stop(s, r); return Empty.INSTANCE; });
    }
}
