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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

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
        Object invoke(String session, JsonNode body) throws Exception {
            Q request = Wire.JSON.treeToValue(body, method.request());
            return handler.handle(session, request);
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
            JsonNode message;
            while ((message = Wire.read(in)) != null) {
                var request = message;
                Thread.ofVirtual().name("rpc-call").start(() -> dispatch(request, out));
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "connection closed", e);
        } finally {
            connections.remove(connection);
        }
    }

    private void dispatch(JsonNode request, DataOutputStream out) {
        long id = request.path("id").asLong();
        String method = request.path("method").asString("");
        String session = request.path("session").asString("");
        ObjectNode response = Wire.JSON.createObjectNode().put("id", id);
        var registration = handlers.get(method);
        try {
            if (registration == null) {
                throw DroverException.notSupported("unknown rpc method " + method);
            }
            Object result = registration.invoke(session, request.path("body"));
            response.set("result", Wire.JSON.valueToTree(result));
        } catch (Exception e) {
            var error = response.putObject("error");
            if (e instanceof DroverException de) {
                error.put("kind", de.kind().name()).put("recoverable", de.recoverable());
            } else {
                LOG.log(Level.WARNING, method + " failed", e);
                error.put("kind", DroverException.Kind.INTERNAL.name()).put("recoverable", true);
            }
            error.put("message", e.getMessage() == null ? e.toString() : e.getMessage());
        }
        synchronized (out) {
            try {
                Wire.write(out, response);
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
