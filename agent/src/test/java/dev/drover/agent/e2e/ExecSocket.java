package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.rpc.Wire;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A test client of the agent's exec websocket, speaking Nomad's frames (as {@code drover alloc
 * exec} does): sends stdin/resize/heartbeats, collects stdout/stderr, the exit frame and the close.
 */
final class ExecSocket implements WebSocket.Listener {
    record Closed(int code, String reason) {}

    private final StringBuilder partial = new StringBuilder();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final List<String> order = new ArrayList<>(); // frame kinds in arrival order
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private volatile Integer exitCode;
    private WebSocket socket;

    static String url(AgentFixture agent, String alloc, String task, boolean tty, String... command) {
        String json = Wire.JSON.writeValueAsString(List.of(command));
        return agent.agent.address().toString().replaceFirst("^http", "ws") + "/v1/client/allocation/" + alloc + "/exec?task="
                + URLEncoder.encode(task, StandardCharsets.UTF_8) + "&tty=" + tty + "&command=" + URLEncoder.encode(json, StandardCharsets.UTF_8);
    }

    static ExecSocket open(AgentFixture agent, String alloc, String task, boolean tty, String... command) throws Exception {
        var client = new ExecSocket();
        client.socket = HttpClient.newHttpClient().newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
                .buildAsync(URI.create(url(agent, alloc, task, tty, command)), client).get(15, TimeUnit.SECONDS);
        return client;
    }

    private synchronized void sendFrame(String json) {
        socket.sendText(json, true).join(); // one frame at a time, as the JDK client requires
    }

    ExecSocket stdin(String text) {
        sendFrame("{\"stdin\":{\"data\":\"" + Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8)) + "\"}}");
        return this;
    }

    ExecSocket stdin(byte[] bytes) {
        sendFrame("{\"stdin\":{\"data\":\"" + Base64.getEncoder().encodeToString(bytes) + "\"}}");
        return this;
    }

    ExecSocket closeStdin() {
        sendFrame("{\"stdin\":{\"close\":true}}");
        return this;
    }

    ExecSocket resize(int height, int width) {
        sendFrame("{\"tty_size\":{\"height\":" + height + ",\"width\":" + width + "}}");
        return this;
    }

    ExecSocket heartbeat() {
        sendFrame("{}");
        return this;
    }

    void abort() {
        socket.abort();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            var frame = Wire.JSON.readTree(partial.toString());
            partial.setLength(0);
            synchronized (this) {
                if (frame.has("stdout")) {
                    out.writeBytes(Base64.getDecoder().decode(frame.path("stdout").path("data").asString("")));
                    order.add("stdout");
                } else if (frame.has("stderr")) {
                    err.writeBytes(Base64.getDecoder().decode(frame.path("stderr").path("data").asString("")));
                    order.add("stderr");
                } else if (frame.path("exited").asBoolean(false)) {
                    exitCode = frame.path("result").path("exit_code").asInt(-1);
                    order.add("exited");
                } else {
                    order.add("unknown:" + frame);
                }
                notifyAll();
            }
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        synchronized (this) {
            notifyAll();
        }
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(new Closed(-1, "error: " + error));
    }

    synchronized String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    synchronized String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    synchronized List<String> order() {
        return List.copyOf(order);
    }

    /** Waits until stdout matches the regex somewhere; returns all of stdout. */
    synchronized String await(String regex) throws InterruptedException {
        var pattern = java.util.regex.Pattern.compile(regex);
        long deadline = System.currentTimeMillis() + 20_000;
        while (!pattern.matcher(stdout()).find()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0 || closed.isDone()) {
                fail("no /" + regex + "/ in exec output: " + stdout().replace("\r", "\\r") + " (stderr: " + stderr()
                        + ", closed: " + closed.getNow(null) + ")");
            }
            wait(Math.min(left, 200));
        }
        return stdout();
    }

    Closed awaitClose() throws Exception {
        return closed.get(30, TimeUnit.SECONDS);
    }

    /** Waits for the end; fails unless an exit frame came last and the close was normal. */
    int awaitExit() throws Exception {
        var close = awaitClose();
        var frames = order();
        if (exitCode == null || close.code() != 1000 || !frames.getLast().equals("exited")) {
            fail("exec did not end with an exit frame and a normal close: frames " + frames + ", close " + close
                    + ", stdout " + stdout() + ", stderr " + stderr());
        }
        return exitCode;
    }
}
