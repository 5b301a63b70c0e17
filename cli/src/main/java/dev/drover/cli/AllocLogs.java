package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drover alloc logs}: copies a task's stdout/stderr from the agent's plain log stream.
 *
 * <p>The stream is bytes with no line index, so "last N lines" is found by asking for a byte
 * window from the end, guessed at {@value #BYTES_PER_LINE} bytes a line, and doubling it until it
 * holds N lines or the whole log.
 */
@Command(name = "logs", description = "Stream the stdout (or stderr) of an allocation's task.")
final class AllocLogs implements Callable<Integer> {
    static final int BYTES_PER_LINE = 200;
    static final long MAX_TAIL_BYTES = 64L << 20;
    private static final int DEFAULT_TAIL_LINES = 10;

    @Spec
    CommandSpec spec;

    @Option(names = "-stderr", description = "Show stderr instead of stdout.")
    boolean stderr;

    @Option(names = "-f", description = "Follow: keep streaming until the task is dead (across agent restarts), then say how it ended.")
    boolean follow;

    @Option(names = "-tail", description = "Start near the end of the log; without -n/-c, the last 10 lines.")
    boolean tail;

    @Option(names = "-n", paramLabel = "<lines>", description = "Show the last N lines (implies -tail).")
    Integer lines;

    @Option(names = "-c", paramLabel = "<bytes>", description = "Show the last N bytes (implies -tail).")
    Long bytes;

    @Option(names = "-task", paramLabel = "<task>", description = "Task whose logs to show.")
    String taskFlag;

    @Parameters(index = "0", paramLabel = "<alloc>", description = "Allocation ID or unique prefix.")
    String alloc;

    @Parameters(index = "1", arity = "0..1", paramLabel = "<task>", description = "Task whose logs to show.")
    String taskArg;

    private ApiClient api;
    private PrintStream out;
    private String base;
    private LogFollower follower;

    @Override
    public Integer call() {
        String cmd = spec.qualifiedName();
        if (lines != null && bytes != null) {
            throw CliException.usage(cmd, "-n and -c are mutually exclusive");
        }
        if (lines != null && lines < 0 || bytes != null && bytes < 0) {
            throw CliException.usage(cmd, (lines != null ? "-n" : "-c") + " must not be negative");
        }
        Cli cli = Cli.of(spec);
        api = cli.api();
        out = cli.ctx.out();
        Allocation a = AllocCommands.fetch(api, alloc);
        String task = AllocCommands.task(cmd, a, taskFlag, taskArg);
        if (task.isEmpty()) {
            task = onlyTask(a);
        }
        if (!started(a, task)) {
            if (!follow) {
                cli.ctx.err().println("Task \"" + task + "\" has not started yet" + latest(a, task) + "; use -f to wait for its output");
                return 0;
            }
            awaitStart(cli, a, task);
        }
        String stream = "/v1/client/fs/logs/" + ApiClient.enc(a.id()) + "?task=" + ApiClient.enc(task)
                + "&type=" + (stderr ? "stderr" : "stdout");
        base = stream + "&plain=true";
        follower = new LogFollower(api, out, cli.ctx.err(), a.id(), task, stream);
        if (bytes != null) {
            if (follow) follower.follow("end", bytes, 0);
            else copy(open(base, false, "end", bytes), 0);
        } else if (lines != null || tail) {
            tailLines(base, lines != null ? lines : DEFAULT_TAIL_LINES);
        } else if (follow) {
            follower.follow("start", 0, 0);
        } else {
            copy(open(base, false, "start", 0), 0);
        }
        return 0;
    }

    /** A task that never ran has no log yet: pending, with no start time. */
    private static boolean started(Allocation a, String task) {
        var state = a.taskStates().get(task);
        return state == null || !"pending".equals(state.state()) || state.startedAt() > 0;
    }

    private static String latest(Allocation a, String task) {
        var state = a.taskStates().get(task);
        if (state == null || state.events().isEmpty()) {
            return "";
        }
        var e = state.events().getLast();
        return " (" + e.type() + (e.description().isEmpty() || e.description().equals(e.type()) ? "" : ": " + e.description()) + ")";
    }

    /**
     * Shows the task's events on stderr (e.g. "Pulled 12.0 MB of 40.0 MB") until it starts or the
     * allocation gives up on it, so a long prestart is not a silent wait.
     */
    private void awaitStart(Cli cli, Allocation a, String task) {
        PrintStream err = cli.ctx.err();
        err.println("==> Waiting for task \"" + task + "\" to start");
        TaskEventFeed events = new TaskEventFeed();
        while (true) {
            events.newEvents(a, task).forEach(e -> err.println("    " + e.line()));
            if (started(a, task) || "complete".equals(a.clientStatus()) || "failed".equals(a.clientStatus())) {
                return;
            }
            JobRun.sleep(cli.ctx.pollInterval());
            a = AllocCommands.fetch(api, a.id());
        }
    }

    private static String onlyTask(Allocation a) {
        List<String> names = a.taskNames();
        if (names.size() == 1) {
            return names.getFirst();
        }
        String id = Format.shortId(a.id());
        if (names.isEmpty()) {
            throw new CliException("Error: allocation \"" + id + "\" reports no tasks yet; name one with -task");
        }
        throw new CliException("Error: allocation \"" + id + "\" is running the following tasks:\n  * "
                + String.join("\n  * ", names) + "\n\nPlease select the task to retrieve logs from with -task or as an argument.");
    }

    private void tailLines(String base, int n) {
        byte[] data = new byte[0];
        int start = 0;
        if (n > 0) {
            long offset = Math.min((long) n * BYTES_PER_LINE, MAX_TAIL_BYTES);
            while (true) {
                try (InputStream in = open(base, false, "end", offset)) {
                    data = in.readAllBytes();
                } catch (IOException e) {
                    throw streamError(e);
                }
                start = lastLinesStart(data, n);
                if (start >= 0) {
                    break;
                }
                // Fewer than n lines: a full window means the log goes on further back.
                if (data.length < offset || offset >= MAX_TAIL_BYTES) {
                    start = 0;
                    break;
                }
                offset = Math.min(offset * 2, MAX_TAIL_BYTES);
            }
        }
        if (!follow) {
            out.write(data, start, data.length - start);
            out.flush();
            return;
        }
        // Follow the same window again and print it minus the lines not wanted, rather than print
        // the probe and follow from the very end: that would drop whatever was logged between the
        // two requests. (If the log grew meanwhile, output starts a little after the last N lines.)
        follower.follow("end", data.length, start);
    }

    /**
     * Index where the last {@code n} lines of {@code d} begin, or -1 if {@code d} holds fewer than
     * n complete line breaks before its last line. A final unterminated line counts as a line.
     */
    static int lastLinesStart(byte[] d, int n) {
        if (n <= 0) {
            return d.length;
        }
        int end = d.length > 0 && d[d.length - 1] == '\n' ? d.length - 1 : d.length;
        int seen = 0;
        for (int i = end - 1; i >= 0; i--) {
            if (d[i] == '\n' && ++seen == n) {
                return i + 1;
            }
        }
        return -1;
    }

    private InputStream open(String base, boolean follow, String origin, long offset) {
        return api.stream(base + "&follow=" + follow + "&origin=" + origin + "&offset=" + offset, "reading logs");
    }

    /** Copies the stream to stdout as it arrives, dropping its first {@code skip} bytes. */
    private void copy(InputStream stream, long skip) {
        byte[] buf = new byte[8192];
        try (InputStream in = stream) {
            int n;
            while ((n = in.read(buf)) >= 0) {
                int from = (int) Math.min(skip, n);
                skip -= from;
                if (n > from) {
                    out.write(buf, from, n - from);
                    out.flush();
                }
            }
        } catch (IOException e) {
            throw streamError(e);
        }
    }

    private CliException streamError(IOException e) {
        return new CliException("Error reading logs: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
    }
}
