package dev.drover.sdk.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.JsonObject;
import dev.drover.sdk.rpc.WireError;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Interactive exec across the executor plugin boundary. The RPC connection carries one request
 * and one response per call, so each exec's byte streams get a unix socket of their own:
 * <ol>
 *   <li>the caller calls {@code executor.exec_stream {command, tty}}; the executor binds a fresh
 *       socket in a private (0700) directory and answers with its path;
 *   <li>the caller connects within 30 s (else the socket is dropped); the executor unlinks the path
 *       at once, so exactly one connection is ever served, and runs the command;
 *   <li>frames both ways are a type byte, a 4-byte big-endian length and the payload. Caller to
 *       executor: STDIN (bytes), CLOSE_STDIN, RESIZE (height, width as two ints). Executor to
 *       caller: STDOUT and STDERR (bytes), then, as the very last frame, one EXIT (an int) or ERROR
 *       (JSON {@code {kind, message, recoverable}});
 *   <li>a connection that closes before EXIT means the other side is gone: the executor kills the
 *       command, the caller reports the executor as unavailable.
 * </ol>
 */
public final class ExecStreamSocket {
    private static final Logger LOG = Logger.getLogger(ExecStreamSocket.class.getName());
    static final byte STDIN = 1, CLOSE_STDIN = 2, RESIZE = 3, STDOUT = 11, STDERR = 12, EXIT = 13, ERROR = 14;
    private static final int MAX_FRAME = 1 << 20;
    private static final long CONNECT_TIMEOUT_MILLIS = 30_000;
    private static final AtomicLong COUNTER = new AtomicLong();
    private static Path directory;

    private ExecStreamSocket() {}

    // ---- executor side --------------------------------------------------------------------

    /** Binds the exec's socket and serves it in the background; returns where to connect. */
    static ExecutorProtocol.ExecStreamResponse serve(Executor executor, String session,
                                                     ExecutorProtocol.ExecStreamRequest request) throws IOException {
        if (request.command() == null || request.command().isEmpty()) {
            throw DroverException.invalid("failed to exec in task " + session + ": a command is required");
        }
        Path socket = directory().resolve("x" + COUNTER.incrementAndGet() + ".sock");
        var server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socket));
        Thread.ofVirtual().name("exec-stream-" + session).start(() -> {
            SocketChannel channel = accept(server, socket);
            if (channel != null) run(channel, executor, session, request);
        });
        return new ExecutorProtocol.ExecStreamResponse(socket.toString());
    }

    private static synchronized Path directory() throws IOException {
        if (directory == null || !Files.isDirectory(directory)) {
            directory = Files.createTempDirectory("drover-exec-"); // owner-only permissions
            directory.toFile().deleteOnExit();
        }
        return directory;
    }

    private static SocketChannel accept(ServerSocketChannel server, Path socket) {
        var accepted = new CompletableFuture<SocketChannel>();
        Thread.ofVirtual().start(() -> {
            try {
                accepted.complete(server.accept());
            } catch (IOException e) {
                accepted.completeExceptionally(e);
            }
        });
        try {
            return accepted.get(CONNECT_TIMEOUT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.fine("nobody connected to exec socket " + socket);
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } finally {
            try {
                server.close();
                Files.deleteIfExists(socket);
            } catch (IOException e) {
                LOG.log(Level.FINE, "cannot remove " + socket, e);
            }
        }
    }

    private static void run(SocketChannel channel, Executor executor, String session,
                            ExecutorProtocol.ExecStreamRequest request) {
        try (channel) {
            var stream = new ServerStream(new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel))),
                    new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel))));
            try {
                int code = executor.execStreaming(session, request.command(), request.tty(), stream);
                stream.send(EXIT, ByteBuffer.allocate(4).putInt(code).array());
            } catch (RuntimeException e) {
                var de = e instanceof DroverException d ? d : DroverException.internal(String.valueOf(e.getMessage()), e);
                if (!(e instanceof DroverException)) LOG.log(Level.WARNING, "exec in " + session + " failed", e);
                stream.send(ERROR, Json.write(WireError.encode(de.kind(), String.valueOf(de.getMessage()), de.recoverable())));
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.log(Level.FINE, "exec stream of " + session + " ended: caller went away", e);
        }
    }

    /** The executor's view: frames from the socket in, frames out (one writer at a time). */
    private static final class ServerStream implements ExecStream {
        private final DataInputStream in;
        private final DataOutputStream out;

        ServerStream(DataInputStream in, DataOutputStream out) {
            this.in = in;
            this.out = out;
        }

        @Override
        public Input receive() {
            try {
                while (true) {
                    int type = in.read();
                    if (type < 0) return null;
                    byte[] payload = readPayload(in);
                    switch (type) {
                        case STDIN -> {
                            return new Stdin(payload);
                        }
                        case CLOSE_STDIN -> {
                            return new CloseStdin();
                        }
                        case RESIZE -> {
                            var b = ByteBuffer.wrap(payload);
                            return new Resize(b.getInt(), b.getInt());
                        }
                        default -> LOG.fine("ignoring exec frame of unknown type " + type);
                    }
                }
            } catch (IOException | RuntimeException e) {
                return null; // the caller went away (or spoke nonsense): the command is killed
            }
        }

        @Override
        public void stdout(byte[] data) {
            sendUnchecked(STDOUT, data);
        }

        @Override
        public void stderr(byte[] data) {
            sendUnchecked(STDERR, data);
        }

        private void sendUnchecked(byte type, byte[] data) {
            try {
                send(type, data);
            } catch (IOException e) {
                throw new UncheckedIOException("exec caller went away", e);
            }
        }

        synchronized void send(byte type, byte[] payload) throws IOException {
            writeFrame(out, type, payload);
        }
    }

    // ---- caller side ----------------------------------------------------------------------

    /**
     * Connects to an exec's socket and relays until the command's exit.
     *
     * @return the exit code
     */
    static int attach(Path socket, ExecStream stream) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw DroverException.unavailable("exec: cannot connect to the executor's exec socket " + socket + ": " + e.getMessage(), e);
        }
        var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
        var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
        Thread pump = Thread.ofVirtual().name("exec-input").start(() -> pumpInput(stream, out, channel));
        try {
            while (true) {
                int type = in.read();
                if (type < 0) throw DroverException.unavailable("exec: the executor closed the stream without an exit status", null);
                byte[] payload = readPayload(in);
                switch (type) {
                    case STDOUT -> stream.stdout(payload);
                    case STDERR -> stream.stderr(payload);
                    case EXIT -> {
                        return ByteBuffer.wrap(payload).getInt();
                    }
                    case ERROR -> {
                        throw error(payload);
                    }
                    default -> LOG.fine("ignoring exec frame of unknown type " + type);
                }
            }
        } catch (IOException e) {
            throw DroverException.unavailable("exec: lost the connection to the executor: " + e.getMessage(), e);
        } finally {
            pump.interrupt();
            try {
                channel.close();
            } catch (IOException ignored) {
                // done with it either way
            }
        }
    }

    private static void pumpInput(ExecStream stream, DataOutputStream out, SocketChannel channel) {
        try {
            ExecStream.Input input;
            while ((input = stream.receive()) != null) {
                switch (input) {
                    case ExecStream.Stdin s -> writeFrame(out, STDIN, s.data());
                    case ExecStream.CloseStdin c -> writeFrame(out, CLOSE_STDIN, new byte[0]);
                    case ExecStream.Resize r -> writeFrame(out, RESIZE, ByteBuffer.allocate(8).putInt(r.height()).putInt(r.width()).array());
                }
            }
            channel.close(); // the caller is gone: the executor kills the command
        } catch (InterruptedException | IOException e) {
            // the exec ended (we were interrupted) or the executor went away
        }
    }

    private static void writeFrame(DataOutputStream out, byte type, byte[] payload) throws IOException {
        out.writeByte(type);
        out.writeInt(payload.length);
        out.write(payload);
        out.flush();
    }

    /** The executor's ERROR frame: {@code {"kind","message","recoverable"}}, as an RPC error. */
    private static DroverException error(byte[] payload) {
        try {
            return WireError.decode(JsonObject.parse(payload), false);
        } catch (IllegalArgumentException e) {
            return DroverException.internal("exec: unreadable error from the executor: " + e.getMessage(), e);
        }
    }

    private static byte[] readPayload(DataInputStream in) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_FRAME) throw new IOException("bad exec frame length " + length);
        byte[] payload = in.readNBytes(length);
        if (payload.length != length) throw new EOFException("truncated exec frame");
        return payload;
    }
}
