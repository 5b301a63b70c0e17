package dev.drover.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.IntConsumer;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A hand-written stand-in for the agent's HTTP API on 127.0.0.1:0: routes are exact
 * "METHOD /path" keys, every request is recorded for assertions.
 */
final class FakeAgent implements AutoCloseable {
    static final JsonMapper JSON = JsonMapper.builder().build();
    /** Fixed "now" for relative times in tests: 2024-01-02T03:04:05Z. */
    static final Instant NOW = Instant.parse("2024-01-02T03:04:05Z");

    record Request(String method, String path, Map<String, String> query, String body) {
        JsonNode json() {
            return JSON.readTree(body);
        }
    }

    /** An answer; {@code chunks} are written one by one (chunked encoding) with a pause between. */
    record Reply(int status, Map<String, String> headers, List<byte[]> chunks, IntConsumer beforeChunk) {
        Reply(int status, Map<String, String> headers, List<byte[]> chunks) {
            this(status, headers, chunks, i -> {});
        }

        static Reply json(String body) {
            return new Reply(200, Map.of("Content-Type", "application/json"), List.of(bytes(body)));
        }

        static Reply text(int status, String body) {
            return new Reply(status, Map.of("Content-Type", "text/plain"), List.of(bytes(body)));
        }

        /** Calls {@code hook} with each chunk's index before writing it (to hold a stream open). */
        Reply beforeChunk(IntConsumer hook) {
            return new Reply(status, headers, chunks, hook);
        }

        static Reply stream(String... chunks) {
            List<byte[]> parts = new ArrayList<>();
            for (String c : chunks) {
                parts.add(bytes(c));
            }
            return new Reply(200, Map.of("Content-Type", "application/octet-stream"), parts);
        }

        Reply withHeader(String name, String value) {
            Map<String, String> h = new LinkedHashMap<>(headers);
            h.put(name, value);
            return new Reply(status, h, chunks, beforeChunk);
        }
    }

    interface Handler {
        Reply handle(Request r) throws Exception;
    }

    final List<Request> requests = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Handler> routes = new ConcurrentHashMap<>();
    private final HttpServer server;

    FakeAgent() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::serve);
        server.start();
    }

    FakeAgent on(String method, String path, Handler h) {
        routes.put(method + " " + path, h);
        return this;
    }

    FakeAgent onJson(String method, String path, String json) {
        return on(method, path, r -> Reply.json(json));
    }

    String address() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    List<Request> requests(String method, String path) {
        synchronized (requests) {
            return requests.stream().filter(r -> r.method().equals(method) && r.path().equals(path)).toList();
        }
    }

    private void serve(HttpExchange ex) throws IOException {
        try (ex) {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Map<String, String> query = new LinkedHashMap<>();
            String raw = ex.getRequestURI().getRawQuery();
            if (raw != null) {
                for (String kv : raw.split("&")) {
                    int i = kv.indexOf('=');
                    query.put(dec(i < 0 ? kv : kv.substring(0, i)), i < 0 ? "" : dec(kv.substring(i + 1)));
                }
            }
            Request req = new Request(ex.getRequestMethod(), ex.getRequestURI().getPath(), query, body);
            requests.add(req);
            Handler h = routes.get(req.method() + " " + req.path());
            Reply reply;
            try {
                reply = h == null ? Reply.text(404, "no route " + req.method() + " " + req.path()) : h.handle(req);
            } catch (Exception e) {
                reply = Reply.text(500, "fake agent: " + e);
            }
            reply.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            boolean streamed = reply.chunks().size() > 1;
            long length = streamed ? 0 : reply.chunks().getFirst().length;
            ex.sendResponseHeaders(reply.status(), length == 0 ? (streamed ? 0 : -1) : length);
            OutputStream out = ex.getResponseBody();
            for (int i = 0; i < reply.chunks().size(); i++) {
                reply.beforeChunk().accept(i);
                byte[] c = reply.chunks().get(i);
                out.write(c);
                out.flush();
                if (streamed) {
                    Thread.sleep(20);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String dec(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    // ---- running the CLI --------------------------------------------------------------------

    record Result(int code, String out, String err) {}

    /** Runs the CLI with -address unset and the given environment; UTC, fixed clock, fast polling. */
    static Result runWithEnv(Map<String, String> env, Duration timeout, String... args) {
        return runWithEnv(env, timeout, new ByteArrayOutputStream(), args);
    }

    /** As above, writing stdout to {@code out} so a test can watch it while the CLI runs. */
    static Result runWithEnv(Map<String, String> env, Duration timeout, ByteArrayOutputStream out, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Function<String, String> lookup = env::get;
        // Each reading advances the clock 5 ms: wait loops time out deterministically, and a
        // command's "ago" times stay exact to the second.
        Clock clock = new Clock() {
            private final AtomicLong reads = new AtomicLong();

            @Override
            public java.time.ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return NOW.plusMillis(5 * reads.getAndIncrement());
            }
        };
        CliContext ctx = new CliContext(new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8), lookup, clock, ZoneOffset.UTC,
                Duration.ofMillis(10), timeout);
        int code = Cli.run(args, ctx);
        return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the CLI against this fake. */
    Result run(String... args) {
        return runWithEnv(Map.of("DROVER_ADDR", address()), Duration.ofSeconds(5), args);
    }
}
