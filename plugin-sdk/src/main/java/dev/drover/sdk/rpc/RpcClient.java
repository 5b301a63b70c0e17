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
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connection to a plugin. Calls are multiplexed by id, so a blocking {@code wait} and a
 * {@code stats} can be in flight together. When the connection drops every pending call fails
 * with {@link DroverException.Kind#UNAVAILABLE}.
 */
public final class RpcClient implements AutoCloseable {
    private final SocketChannel channel;
    private final DataOutputStream out;
    private final AtomicLong ids = new AtomicLong();
    private final Map<Long, CompletableFuture<JsonObject>> pending = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RpcClient(SocketChannel channel) {
        this.channel = channel;
        this.out = new DataOutputStream(new BufferedOutputStream(Channels.newOutputStream(channel)));
        var in = new DataInputStream(new BufferedInputStream(Channels.newInputStream(channel)));
        Thread.ofVirtual().name("rpc-client-reader").start(() -> readLoop(in));
    }

    public static RpcClient connect(Path socket) {
        try {
            var channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
            return new RpcClient(channel);
        } catch (IOException e) {
            throw DroverException.unavailable("failed to connect to plugin at " + socket + ": " + e.getMessage(), e);
        }
    }

    private void readLoop(DataInputStream in) {
        try {
            JsonObject message;
            while ((message = Frames.read(in)) != null) {
                var future = pending.remove(message.longValue("id"));
                if (future != null) future.complete(message);
            }
        } catch (IOException | IllegalArgumentException e) {
            // fall through: the plugin went away, or sent a frame that is not a response (an id that is no number)
        }
        closed = true;
        var gone = DroverException.unavailable("plugin connection lost", null);
        pending.values().forEach(f -> f.completeExceptionally(gone));
        pending.clear();
    }

    public boolean isOpen() {
        return !closed && channel.isOpen();
    }

    public <Q, R> R call(RpcMethod<Q, R> method, String session, Q request) {
        if (!isOpen()) throw DroverException.unavailable("plugin connection is closed", null);
        long id = ids.incrementAndGet();
        var future = new CompletableFuture<JsonObject>();
        pending.put(id, future);
        var message = Json.object("id", id, "method", method.name(), "session", session == null ? "" : session,
                "body", method.request().encode(request));
        try {
            synchronized (out) {
                Frames.write(out, message);
            }
        } catch (IOException e) {
            pending.remove(id);
            throw DroverException.unavailable(method.name() + ": plugin connection lost: " + e.getMessage(), e);
        }
        JsonObject response;
        try {
            response = future.get();
        } catch (InterruptedException e) {
            pending.remove(id);
            Thread.currentThread().interrupt();
            throw DroverException.unavailable(method.name() + " interrupted", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DroverException de) {
                throw new DroverException(de.kind(), method.name() + ": " + de.getMessage(), de.recoverable(), de);
            }
            throw DroverException.internal(method.name() + " failed", e.getCause());
        }
        var error = response.child("error");
        if (error != null) {
            throw WireError.decode(error, true);
        }
        return response.object("result", method.response());
    }

    @Override
    public void close() {
        closed = true;
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing a socket we no longer need
        }
    }
}
