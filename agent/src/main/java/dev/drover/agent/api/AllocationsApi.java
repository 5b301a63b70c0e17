package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.logs.LogStreamer;
import dev.drover.sdk.proc.Signals;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Base64;

/** /v1/allocations, /v1/allocation/:id and the client endpoints: logs, signal, restart. */
final class AllocationsApi {
    private final AllocManager allocs;

    AllocationsApi(AllocManager allocs) {
        this.allocs = allocs;
    }

    void register(Router router) {
        router.add("GET", "/v1/allocations", r -> {
            var out = Wire.JSON.createArrayNode();
            allocs.allocations().forEach(a -> out.add(ApiJson.allocStub(a)));
            return out;
        })
                .add("GET", "/v1/allocation/:id", r -> ApiJson.alloc(allocs.allocation(r.path("id"))))
                .add("GET", "/v1/client/fs/logs/:id", this::logs)
                .add("GET", "/v1/client/allocation/:id/exec", this::exec)
                .add("POST", "/v1/client/allocation/:id/signal", this::signal)
                .add("PUT", "/v1/client/allocation/:id/signal", this::signal)
                .add("POST", "/v1/client/allocation/:id/restart", this::restart)
                .add("PUT", "/v1/client/allocation/:id/restart", this::restart);
    }

    private Object logs(ApiRequest r) throws IOException, InterruptedException {
        var runner = allocs.allocation(r.path("id"));
        String task = r.query("task", "");
        if (task.isEmpty()) throw ApiException.badRequest("must include task name (query parameter task)");
        var taskRunner = runner.task(task);
        String type = r.query("type", "");
        if (!type.equals("stdout") && !type.equals("stderr")) {
            throw ApiException.badRequest("type must be \"stdout\" or \"stderr\", got \"" + type + "\"");
        }
        String origin = r.query("origin", "start");
        if (!origin.equals("start") && !origin.equals("end")) throw ApiException.badRequest("origin must be start or end");
        long offset = r.queryLong("offset", 0);
        if (offset < 0) throw ApiException.badRequest("offset must not be negative");
        boolean follow = r.queryBool("follow", false);
        boolean plain = r.queryBool("plain", false);
        var streamer = new LogStreamer(runner.dir().logsDir(), task, type);
        LogStreamer.Start start = new LogStreamer.Start.Offset(offset, origin.equals("end"));
        String file = r.query("file", "");
        if (!file.isEmpty()) {
            // Drover's addition to Nomad's parameters: resume where a frame (File, Offset) left off.
            String name = file.startsWith(LOG_FILE_PREFIX) ? file.substring(LOG_FILE_PREFIX.length()) : file;
            if (origin.equals("end") || streamer.indexOf(name).isEmpty()) {
                throw ApiException.badRequest("file must name one of the task's " + type + " log files (as a frame's File, e.g. \""
                        + LOG_FILE_PREFIX + task + "." + type + ".0\") with origin=start, got \"" + file + "\"");
            }
            start = new LogStreamer.Start.InFile(name, offset);
        }
        try (OutputStream out = r.stream(plain ? "text/plain; charset=utf-8" : "application/json")) {
            var sink = plain ? new PlainSink(out) : new FrameSink(out);
            streamer.stream(start, follow, () -> taskRunner.done().isDone(), sink);
            sink.flush();
        }
        return Router.STREAMED;
    }

    /** Where a frame's File points: the log file's path inside the allocation dir, as Nomad's. */
    static final String LOG_FILE_PREFIX = "alloc/logs/";

    private record PlainSink(OutputStream out) implements LogStreamer.Sink {
        @Override
        public void write(String file, long offsetAfter, byte[] b, int len) throws IOException {
            out.write(b, 0, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }

    /**
     * Nomad's StreamFrame JSON objects, one after another: {@code {"Offset","Data"(base64),"File"}},
     * Offset being where the data ends in File; an empty {@code {}} is a heartbeat, sent about once a
     * second while a follow waits, so a client that went away is noticed.
     */
    private static final class FrameSink implements LogStreamer.Sink {
        private static final byte[] HEARTBEAT = "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        private final OutputStream out;
        private long lastSent = System.nanoTime();

        FrameSink(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(String file, long offsetAfter, byte[] b, int len) throws IOException {
            var frame = Wire.JSON.createObjectNode()
                    .put("Offset", offsetAfter)
                    .put("Data", Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(b, len)))
                    .put("File", LOG_FILE_PREFIX + file);
            out.write(Wire.JSON.writeValueAsBytes(frame));
            lastSent = System.nanoTime();
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void idle() throws IOException {
            if (System.nanoTime() - lastSent < 1_000_000_000L) return;
            out.write(HEARTBEAT);
            out.flush();
            lastSent = System.nanoTime();
        }
    }

    /**
     * Nomad's exec websocket: {@code ?task=NAME&tty=BOOL&command=<JSON array>}. Bad parameters are a
     * 400 before the upgrade; everything later (unknown alloc or task, not running, command not
     * found) closes the websocket with the message, as Nomad does. See {@link ExecEndpoint}.
     */
    private Object exec(ApiRequest r) {
        String task = r.query("task", "");
        if (task.isEmpty()) throw ApiException.badRequest("must include task name (query parameter task)");
        String commandJson = r.query("command", "");
        if (commandJson.isEmpty()) throw ApiException.badRequest("command is not present (query parameter command, a JSON array of strings)");
        java.util.List<String> command = new java.util.ArrayList<>();
        try {
            var parsed = Wire.JSON.readTree(commandJson);
            if (!parsed.isArray() || parsed.isEmpty()) throw ApiException.badRequest("command must be a non-empty JSON array of strings, got " + commandJson);
            for (var element : parsed) {
                if (!element.isString()) throw ApiException.badRequest("command must be a JSON array of strings, got " + commandJson);
                command.add(element.asString());
            }
        } catch (tools.jackson.core.JacksonException e) {
            throw ApiException.badRequest("command is not valid JSON: " + e.getOriginalMessage());
        }
        boolean tty = r.queryBool("tty", false);
        return new WebSocketUpgrade(new ExecEndpoint(allocs, new ExecEndpoint.Request(r.path("id"), task, command, tty)));
    }

    private Object signal(ApiRequest r) {
        var runner = allocs.allocation(r.path("id"));
        var body = r.json();
        String signal = body.path("Signal").asString("");
        if (signal.isEmpty()) throw ApiException.badRequest("Signal: missing; give a signal name like SIGHUP");
        if (Signals.number(signal).isEmpty()) {
            throw ApiException.badRequest("Signal: unknown signal \"" + signal + "\"; use a name like SIGTERM or SIGHUP");
        }
        String task = body.path("Task").asString("");
        var targets = task.isEmpty() ? runner.taskNames() : java.util.List.of(task);
        for (String t : targets) runner.task(t).signal(signal, "Task being sent a signal");
        return Wire.JSON.createObjectNode();
    }

    private Object restart(ApiRequest r) {
        var runner = allocs.allocation(r.path("id"));
        var body = r.json();
        String task = body.path("TaskName").asString("");
        boolean all = body.path("AllTasks").asBoolean(false);
        if (!task.isEmpty() && all) throw ApiException.badRequest("TaskName and AllTasks are mutually exclusive");
        var targets = task.isEmpty() ? runner.taskNames() : java.util.List.of(task);
        for (String t : targets) runner.task(t).restart("User requested restart");
        return Wire.JSON.createObjectNode();
    }
}
