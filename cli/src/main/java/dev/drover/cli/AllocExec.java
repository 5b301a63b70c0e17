package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drover alloc exec}: a command inside a running task over the agent's exec websocket
 * (Nomad's frames). With {@code -t} and a terminal on stdin, the local terminal is in raw mode for
 * the session (restored on every way out), its size is sent at start and on every SIGWINCH, and a
 * heartbeat goes out every 10 s. The CLI exits with the remote command's exit code.
 */
@Command(name = "exec", description = "Run a command in a running allocation's task, interactively.")
final class AllocExec implements Callable<Integer> {
    private static final long HEARTBEAT_SECONDS = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "-i", arity = "0..1", fallbackValue = "true", defaultValue = "true", paramLabel = "<bool>",
            description = "Pass stdin to the command (default true); -i=false closes its stdin at once.")
    boolean stdin;

    @Option(names = "-t", arity = "0..1", fallbackValue = "true", paramLabel = "<bool>",
            description = "Allocate a terminal (default: whether stdin is a terminal).")
    Boolean tty;

    @Option(names = "-task", paramLabel = "<task>", description = "The task to exec into (needed when the group has several).")
    String task;

    @Option(names = "-job", description = "Treat the first argument as a job ID and use one of its running allocations.")
    boolean job;

    @Parameters(index = "0", paramLabel = "<alloc>", description = "Allocation ID or unique prefix (a job ID with -job).")
    String target;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "<command>", description = "The command and its arguments.")
    List<String> command;

    @Override
    public Integer call() throws Exception {
        Cli cli = Cli.of(spec);
        ApiClient api = cli.api();
        Allocation alloc = job ? runningAllocOfJob(api, target) : AllocCommands.fetch(api, target);
        String taskName = AllocCommands.task(spec.qualifiedName(), alloc, task, null);
        if (taskName.isEmpty()) taskName = onlyTask(alloc);
        var state = alloc.taskStates().get(taskName);
        if (state != null && state.state().equals("dead")) {
            throw new CliException("Error: task \"" + taskName + "\" of allocation \"" + Format.shortId(alloc.id()) + "\" is not running");
        }
        boolean terminal = Terminal.stdinIsTerminal();
        boolean useTty = tty != null ? tty : terminal;
        String url = api.address().replaceFirst("^http", "ws") + "/v1/client/allocation/" + ApiClient.enc(alloc.id())
                + "/exec?task=" + ApiClient.enc(taskName) + "&tty=" + useTty
                + "&command=" + ApiClient.enc(api.json().writeValueAsString(command));
        var session = new Session(cli.ctx.out(), cli.ctx.err(), api.json());
        WebSocket socket;
        try {
            socket = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build()
                    .newWebSocketBuilder().buildAsync(URI.create(url), session).get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            String why = e.getCause() instanceof WebSocketHandshakeException h ? "the agent answered " + h.getResponse().statusCode()
                    : String.valueOf(e.getCause().getMessage());
            throw new CliException("Error starting exec session at " + api.address() + ": " + why);
        }
        session.socket = socket;
        Terminal raw = useTty && terminal ? Terminal.raw() : null;
        try {
            if (useTty && terminal) {
                session.sendSize();
                watchWindowSize(session);
            }
            var heartbeat = Thread.ofVirtual().start(() -> heartbeats(session));
            if (stdin) {
                Thread.ofPlatform().daemon().name("stdin").start(() -> pumpStdin(session, new FileInputStream(FileDescriptor.in)));
            } else {
                session.send("{\"stdin\":{\"close\":true}}");
            }
            var end = session.closed.get();
            heartbeat.interrupt();
            if (raw != null) raw.close(); // before any message, so it prints on a sane terminal
            if (end.code() == WebSocket.NORMAL_CLOSURE && session.exitCode != null) return session.exitCode;
            if (!end.reason().endsWith("…")) cli.ctx.err().println("Error: " + (end.reason().isEmpty() ? "exec session ended (code " + end.code() + ")" : end.reason()));
            return 1;
        } finally {
            if (raw != null) raw.close();
        }
    }

    private static Allocation runningAllocOfJob(ApiClient api, String jobId) {
        for (var a : api.get("/v1/job/" + ApiClient.enc(jobId) + "/allocations", "querying job allocations")) {
            if (a.path("ClientStatus").asString("").equals("running")) return AllocCommands.fetch(api, a.path("ID").asString());
        }
        throw new CliException("Error: job \"" + jobId + "\" has no running allocation");
    }

    private static String onlyTask(Allocation a) {
        var names = a.taskNames();
        if (names.size() == 1) return names.getFirst();
        throw new CliException("Error: allocation \"" + Format.shortId(a.id()) + "\" runs tasks " + String.join(", ", names)
                + "; choose one with -task");
    }

    /** SIGWINCH from the local terminal: send the new size (sun.misc.Signal is the JDK's only hook for it). */
    @SuppressWarnings("sunapi")
    private static void watchWindowSize(Session session) {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("WINCH"), s -> Thread.ofVirtual().start(session::sendSize));
        } catch (IllegalArgumentException e) {
            // no SIGWINCH here: the size stays what it was at start
        }
    }

    private static void heartbeats(Session session) {
        try {
            while (true) {
                Thread.sleep(HEARTBEAT_SECONDS * 1000);
                session.send("{}");
            }
        } catch (InterruptedException e) {
            // the session ended
        }
    }

    private static void pumpStdin(Session session, InputStream in) {
        byte[] buf = new byte[8192];
        try {
            int n;
            while ((n = in.read(buf)) > 0) {
                session.send("{\"stdin\":{\"data\":\"" + Base64.getEncoder().encodeToString(java.util.Arrays.copyOf(buf, n)) + "\"}}");
            }
        } catch (IOException e) {
            // stdin is gone: same as its end
        }
        session.send("{\"stdin\":{\"close\":true}}");
    }

    /** The websocket: output to our stdout/stderr, the exit code, and how it closed. */
    private static final class Session implements WebSocket.Listener {
        record End(int code, String reason) {}

        private final PrintStream out;
        private final PrintStream err;
        private final tools.jackson.databind.json.JsonMapper json;
        private final StringBuilder partial = new StringBuilder();
        final CompletableFuture<End> closed = new CompletableFuture<>();
        volatile Integer exitCode;
        volatile WebSocket socket;

        Session(PrintStream out, PrintStream err, tools.jackson.databind.json.JsonMapper json) {
            this.out = out;
            this.err = err;
            this.json = json;
        }

        /** One frame at a time: the JDK client refuses a send while another is pending. */
        synchronized void send(String json) {
            if (closed.isDone()) return;
            try {
                socket.sendText(json, true).get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                closed.complete(new End(-1, "lost the connection to the agent: " + e.getMessage()));
            }
        }

        void sendSize() {
            Terminal.size().ifPresent(rc -> send("{\"tty_size\":{\"height\":" + rc[0] + ",\"width\":" + rc[1] + "}}"));
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                var frame = json.readTree(partial.toString());
                partial.setLength(0);
                if (frame.has("stdout")) write(out, frame.path("stdout").path("data").asString(""));
                if (frame.has("stderr")) write(err, frame.path("stderr").path("data").asString(""));
                if (frame.path("exited").asBoolean(false)) exitCode = frame.path("result").path("exit_code").asInt(0);
            }
            webSocket.request(1);
            return null;
        }

        private static void write(PrintStream stream, String base64) {
            if (base64.isEmpty()) return;
            byte[] bytes = Base64.getDecoder().decode(base64);
            stream.write(bytes, 0, bytes.length);
            stream.flush();
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(new End(statusCode, reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(new End(-1, "lost the connection to the agent: " + error.getMessage()));
        }
    }
}
