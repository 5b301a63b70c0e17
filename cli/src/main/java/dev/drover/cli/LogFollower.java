package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import dev.drover.cli.Model.TaskEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Base64;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * {@code alloc logs -f}: follows a task's log through the agent's framed stream (Nomad's
 * StreamFrames) and survives the agent going away. Each frame names the file and the offset its
 * data ends at; when the stream breaks, or ends while the task still runs (an agent stopping), the
 * follower reconnects at exactly that file and offset, so nothing is printed twice or skipped
 * while a restarted agent takes over. It ends when the task is dead and everything was printed,
 * and then says on stderr how the task ended.
 */
final class LogFollower {
    /** How long the agent may stay unreachable before following gives up. */
    static final Duration MAX_UNREACHABLE = Duration.ofSeconds(90);
    private static final long RETRY_MILLIS = 250;

    private final ApiClient api;
    private final PrintStream out;
    private final PrintStream err;
    private final String allocId;
    private final String task;
    private final String base; // the logs URL up to and including type=
    private String file; // where the last frame's data ended
    private long offset;
    private long skip;

    LogFollower(ApiClient api, PrintStream out, PrintStream err, String allocId, String task, String base) {
        this.api = api;
        this.out = out;
        this.err = err;
        this.allocId = allocId;
        this.task = task;
        this.base = base;
    }

    /** Follows from {@code origin}/{@code startOffset}, dropping the first {@code skip} bytes printed. */
    void follow(String origin, long startOffset, long skip) {
        this.skip = skip;
        long unreachableSince = 0;
        boolean noticed = false;
        while (true) {
            String at = file == null ? "&origin=" + origin + "&offset=" + startOffset
                    : "&origin=start&file=" + ApiClient.enc(file) + "&offset=" + offset;
            try (InputStream in = api.stream(base + "&plain=false&follow=true" + at, "reading logs")) {
                unreachableSince = 0;
                if (noticed) {
                    err.println("==> Agent is back; following on");
                    noticed = false;
                }
                copyFrames(in);
            } catch (CliException e) {
                if (e instanceof ApiException) throw e; // the agent answered: no such alloc, bad request, ...
                if (unreachableSince == 0) unreachableSince = System.nanoTime();
                if (System.nanoTime() - unreachableSince > MAX_UNREACHABLE.toNanos()) throw e;
                if (!noticed) {
                    err.println("==> Agent unreachable; retrying for up to " + MAX_UNREACHABLE.toSeconds() + "s");
                    noticed = true;
                }
                sleep();
                continue;
            } catch (JacksonException e) {
                if (!(e.getCause() instanceof IOException)) {
                    throw new CliException("Error reading logs: invalid log stream from agent: " + e.getOriginalMessage());
                }
                sleep(); // the connection broke inside a frame: resume where the last whole one ended
                continue;
            } catch (IOException | UncheckedIOException e) {
                // The connection broke mid-stream: the agent died or restarts. Resume where the last frame ended.
                sleep();
                continue;
            }
            // A clean end: the task is dead and all was sent, or the agent is shutting down.
            var ended = deadTask();
            if (ended != null) {
                err.println(ended);
                return;
            }
            sleep();
        }
    }

    private void copyFrames(InputStream in) throws IOException {
        try (var frames = api.json().readerFor(JsonNode.class).<JsonNode>readValues(in)) {
            while (frames.hasNextValue()) {
                JsonNode frame = frames.nextValue();
                String data = frame.path("Data").asString("");
                if (data.isEmpty()) continue; // a heartbeat
                byte[] bytes = Base64.getDecoder().decode(data);
                int from = (int) Math.min(skip, bytes.length);
                skip -= from;
                out.write(bytes, from, bytes.length - from);
                out.flush();
                file = frame.path("File").asString();
                offset = frame.path("Offset").asLong();
            }
        }
    }

    /** "==> Task ... is dead ..." once the task is dead; null while it runs (or the agent cannot say yet). */
    private String deadTask() {
        Allocation a;
        try {
            a = AllocCommands.fetch(api, allocId);
        } catch (CliException e) {
            return null;
        }
        var state = a.taskStates().get(task);
        if (state == null || !state.state().equals("dead")) return null;
        TaskEvent last = null;
        for (var e : state.events()) {
            if (e.type().equals("Terminated")) last = e;
        }
        String how = last == null ? "it never ran to an exit"
                : last.signal() != 0 ? "exit code " + last.exitCode() + ", signal " + last.signal() : "exit code " + last.exitCode();
        return "==> Task \"" + task + "\" is dead (" + (state.failed() ? "failed" : "finished") + "): " + how;
    }

    private static void sleep() {
        try {
            Thread.sleep(RETRY_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Error reading logs: interrupted");
        }
    }
}
