package dev.drover.sdk.rpc;

import dev.drover.sdk.DroverException;
import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Serves registered {@link RpcMethod}s on a unix socket. Each request runs on its own virtual
 * thread, so a long {@code wait} never holds up other calls on the same connection.
 */
public final class RpcServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RpcServer.class.getName());

    /** Handles one call; {@code session} names the task the call is about. */
    @FunctionalInterface
    public interface Handler<Q, R> {
        R handle(String session, Q request) throws Exception;
    }

    private record Registration<Q, R>(RpcMethod<Q, R> method, Handler<Q, R> handler) {
        Object invoke(String session, JsonObject message) throws Exception {
            Q request = message.object("body", method.request());
            return method.response().encode(handler.handle(session, request));
        }
    }

    private final Map<String, Registration<?, ?>> handlers = new ConcurrentHashMap<>();
    private final java.util.Set<SocketChannel> connections = ConcurrentHashMap.newKeySet();
    private final Path socket;
    private volatile ServerSocketChannel server;

    public RpcServer(Path socket) {
        this.socket = socket;
    }

    public <Q, R> RpcServer register(RpcMethod<Q, R> method, Handler<Q, R> handler) {
        if (handlers.putIfAbsent(method.name(), new Registration<>(method, handler)) != null) {
            throw new IllegalStateException("rpc method registered twice: " + method.name());
        }
        return this;
    }

    /** How many clients are connected now. */
    public int connections() {
        return connections.size();
    }

    public Path socket() {
        return socket;
    }

    /** Binds the socket (replacing a stale file) and starts accepting connections. */
    public void start() throws IOException {
        Files.createDirectories(socket.getParent());
        Files.deleteIfExists(socket);
        var channel = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        channel.bind(UnixDomainSocketAddress.of(socket));
        Files.setPosixFilePermissions(socket, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        server = channel;
        Thread.ofVirtual().name("rpc-accept").start(this::acceptLoop);
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try {
                var connection = server.accept();
                Thread.ofVirtual().name("rpc-conn").start(() -> serve(connection));
            } catch (IOException e) {
                if (server.isOpen()) LOG.log(Level.WARNING, "accept failed", e);
            }
        }
    }

    private void serve(SocketChannel connection) {
        connections.add(connection);
        try (connection) {
            var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(connection)));
            var out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(connection)));
            JsonObject message;
            while ((message = Frames.read(in)) != null) {
                var request = message;
                Thread.ofVirtual().name("rpc-call").start(() -> dispatch(request, out));
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection closed", e);
        } finally {
            connections.remove(connection);
        }
    }

    private void dispatch(JsonObject request, DataOutputStream out) {
        long id;
        String method = "";
        Map<String, Object> response;
        try {
            id = request.longValue("id");
        } catch (IllegalArgumentException e) {
            LOG.warning("ignoring a request without a usable id: " + e.getMessage());
            return;
        }
        try {
            method = java.util.Objects.requireNonNullElse(request.string("method"), "");
            String session = java.util.Objects.requireNonNullElse(request.string("session"), "");
            var registration = handlers.get(method);
            if (registration == null) {
                throw DroverException.notSupported("unknown rpc method " + method);
            }
            response = Json.object("id", id, "result", registration.invoke(session, request));
        } catch (Exception e) {
            boolean recoverable = true;
            var kind = DroverException.Kind.INTERNAL;
            if (e instanceof DroverException de) {
                kind = de.kind();
                recoverable = de.recoverable();
            } else {
                LOG.log(Level.WARNING, method + " failed", e);
            }
            response = Json.object("id", id, "error",
                    WireError.encode(kind, e.getMessage() == null ? e.toString() : e.getMessage(), recoverable));
        }
        synchronized (out) {
            try {
                Frames.write(out, response);
            } catch (IOException e) {
                LOG.log(Level.FINE, "could not answer " + method + ": caller went away", e);
            }
        }
    }

    @Override
    public void close() throws IOException {
        var channel = server;
        if (channel != null) channel.close();
        for (var c : connections) c.close();
        Files.deleteIfExists(socket);
    }
}
