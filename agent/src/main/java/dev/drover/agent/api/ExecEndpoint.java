package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.StreamingExecDriver;
import dev.drover.sdk.rpc.Wire;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * One {@code alloc exec} websocket, in Nomad's frames. Client to agent (JSON text, one field):
 * {@code {"stdin":{"data":"<base64>"}}}, {@code {"stdin":{"close":true}}},
 * {@code {"tty_size":{"height":H,"width":W}}} and the heartbeat {@code {}}. Agent to client:
 * {@code {"stdout":{"data":…}}}, {@code {"stderr":{"data":…}}} and last
 * {@code {"exited":true,"result":{"exit_code":N}}}, then a normal close. Errors close the socket
 * with 1008 (1011 for internal errors) and the message as reason, as Nomad does.
 *
 * <p>Public only because Jetty binds the listener methods through method handles.
 *
 * <p>One virtual thread runs the exec; every frame to the client goes through {@link #send}, one
 * at a time, each waiting for the previous write, so output stays in order, the exit frame comes
 * after all of it, and a client that stops reading slows the command down instead of the agent.
 */
public final class ExecEndpoint extends Session.Listener.AbstractAutoDemanding {
    private static final Logger LOG = Logger.getLogger(ExecEndpoint.class.getName());
    private static final long SEND_TIMEOUT_SECONDS = 60;
    private static final int MAX_REASON_BYTES = 123; // a websocket close reason's limit
    private static final ExecStream.Input END = new ExecStream.Stdin(new byte[0]);

    /** What the query asked for, checked before the upgrade. */
    record Request(String allocId, String task, List<String> command, boolean tty) {}

    private final AllocManager allocs;
    private final Request request;
    private final BlockingQueue<ExecStream.Input> input = new LinkedBlockingQueue<>();
    private final Object sendLock = new Object();

    ExecEndpoint(AllocManager allocs, Request request) {
        this.allocs = allocs;
        this.request = request;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        super.onWebSocketOpen(session);
        Thread.ofVirtual().name("exec-" + request.task()).start(this::run);
    }

    private void run() {
        try {
            var runner = allocs.allocation(request.allocId()).task(request.task());
            String taskId = runner.currentTaskId();
            if (taskId == null) throw DroverException.invalid("task \"" + request.task() + "\" is not running");
            var driver = runner.context().driver;
            if (!(driver instanceof StreamingExecDriver streaming) || !driver.capabilities().exec()) {
                throw DroverException.notSupported("exec is not supported by the \"" + driver.name() + "\" driver");
            }
            int code = streaming.execTaskStreaming(taskId, request.command(), request.tty(), new Stream());
            var exited = Wire.JSON.createObjectNode().put("exited", true);
            exited.putObject("result").put("exit_code", code);
            send(Wire.JSON.writeValueAsString(exited));
            close(StatusCode.NORMAL, "");
        } catch (UncheckedIOException e) {
            LOG.fine("exec client went away: " + e.getMessage());
            getSession().disconnect();
        } catch (RuntimeException e) {
            int status = ApiServer.status(e);
            if (status == 500) LOG.log(Level.WARNING, "exec in " + request.allocId() + "/" + request.task() + " failed", e);
            fail(status == 500 ? StatusCode.SERVER_ERROR : StatusCode.POLICY_VIOLATION, String.valueOf(e.getMessage()));
        }
    }

    /** Closes with the error; a message too long for a close reason goes out in full on stderr first. */
    private void fail(int code, String message) {
        String reason = truncate(message);
        if (!reason.equals(message)) {
            try {
                sendOutput("stderr", (message + "\n").getBytes(StandardCharsets.UTF_8));
            } catch (UncheckedIOException ignored) {
                // the client is gone; nothing more to tell it
            }
        }
        close(code, reason);
    }

    static String truncate(String message) {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_REASON_BYTES) return message;
        String cut = new String(bytes, 0, MAX_REASON_BYTES - 3, StandardCharsets.UTF_8);
        cut = cut.endsWith("\uFFFD") ? cut.substring(0, cut.length() - 1) : cut;
        return cut + "…";
    }

    private void close(int code, String reason) {
        var session = getSession();
        if (session != null && session.isOpen()) session.close(code, reason, Callback.NOOP);
    }

    @Override
    public void onWebSocketText(String text) {
        JsonNode frame;
        try {
            frame = Wire.JSON.readTree(text);
        } catch (JacksonException e) {
            failLater("exec frame is not JSON: " + e.getOriginalMessage());
            return;
        }
        try {
            var stdin = frame.path("stdin");
            if (stdin.isObject()) {
                if (stdin.path("close").asBoolean(false)) input.add(new ExecStream.CloseStdin());
                else if (stdin.hasNonNull("data")) input.add(new ExecStream.Stdin(Base64.getDecoder().decode(stdin.get("data").asString())));
            }
            var size = frame.path("tty_size");
            if (size.isObject()) input.add(new ExecStream.Resize(size.path("height").asInt(0), size.path("width").asInt(0)));
            // {} (or anything else) is a heartbeat: it only keeps the connection from idling out
        } catch (IllegalArgumentException e) {
            failLater("bad exec frame: " + e.getMessage());
        }
    }

    /** From Jetty's callback thread: sends block, so they happen elsewhere. The exec then sees the close and ends. */
    private void failLater(String message) {
        Thread.ofVirtual().start(() -> fail(StatusCode.POLICY_VIOLATION, message));
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        input.add(END);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        LOG.fine("exec websocket error: " + cause);
        input.add(END);
    }

    private void sendOutput(String stream, byte[] data) {
        var frame = Wire.JSON.createObjectNode();
        frame.putObject(stream).put("data", Base64.getEncoder().encodeToString(data));
        send(Wire.JSON.writeValueAsString(frame));
    }

    /** Writes one frame and waits for it to be written: the one way anything reaches the client. */
    private void send(String text) {
        synchronized (sendLock) {
            var session = getSession();
            if (session == null || !session.isOpen()) throw new UncheckedIOException(new java.io.IOException("exec client is gone"));
            var written = new CompletableFuture<Void>();
            session.sendText(text, Callback.from(() -> written.complete(null), written::completeExceptionally));
            try {
                written.get(SEND_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            } catch (ExecutionException | TimeoutException e) {
                throw new UncheckedIOException(new java.io.IOException("cannot write to exec client: " + e, e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new java.io.IOException("interrupted writing to exec client", e));
            }
        }
    }

    /** The exec's view of this websocket. */
    private final class Stream implements ExecStream {
        @Override
        public Input receive() throws InterruptedException {
            var next = input.take();
            if (next == END) {
                input.add(END); // later callers see the end too
                return null;
            }
            return next;
        }

        @Override
        public void stdout(byte[] data) {
            sendOutput("stdout", data);
        }

        @Override
        public void stderr(byte[] data) {
            sendOutput("stderr", data);
        }
    }
}
