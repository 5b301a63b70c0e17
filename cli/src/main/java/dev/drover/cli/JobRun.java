package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import dev.drover.cli.Model.TaskEvent;
import dev.drover.cli.Model.TaskState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code drover job run}: parse (HCL on the agent, JSON locally), register, then watch the new
 * allocations leave "pending" so the user sees at once whether the job started.
 */
@Command(name = "run", description = "Run a new job or update an existing one (HCL or .json job file).")
final class JobRun implements Callable<Integer> {
    /** How many of a failed task's latest events to show. */
    private static final int DIAGNOSIS_EVENTS = 3;

    @Spec
    CommandSpec spec;

    @Option(names = "-detach", description = "Return right after registering, without waiting for allocations.")
    boolean detach;

    @Option(names = "-verbose", description = "Show full allocation IDs.")
    boolean verbose;

    @Parameters(paramLabel = "<file>", description = "Job file: HCL, or JSON if it ends in .json.")
    String file;

    @Override
    public Integer call() {
        Cli cli = Cli.of(spec);
        ApiClient api = cli.api();
        PrintStream out = cli.ctx.out();
        JsonNode job = load(api, cli.ctx.err());
        String id = Model.str(job, "ID").isEmpty() ? Model.str(job, "Name") : Model.str(job, "ID");

        ObjectNode body = api.json().createObjectNode();
        body.set("Job", job);
        JsonNode resp = api.put("/v1/jobs", body, "submitting job");
        for (String w : Model.str(resp, "Warnings").split("\n")) {
            if (!w.isBlank()) {
                cli.ctx.err().println("Warning: " + w.strip());
            }
        }
        List<String> allocIds = new ArrayList<>();
        resp.path("AllocIDs").forEach(a -> allocIds.add(a.asString("")));

        out.println("==> Job \"" + id + "\" registered" + version(api, id));
        if (detach) {
            allocIds.forEach(a -> out.println("    Allocation \"" + Format.id(a, verbose) + "\" created"));
            return 0;
        }
        return monitor(cli, allocIds);
    }

    /** The job as JSON: a .json file is used as is, anything else is HCL the agent parses. */
    private JsonNode load(ApiClient api, PrintStream err) {
        String text;
        try {
            text = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new CliException("Error reading job file " + file + ": no such file");
        } catch (IOException | RuntimeException e) {
            throw new CliException("Error reading job file " + file + ": " + e.getMessage());
        }
        if (file.endsWith(".json")) {
            JsonNode root;
            try {
                root = api.json().readTree(text);
            } catch (JacksonException e) {
                throw new CliException("Error parsing job file " + file + ": " + e.getOriginalMessage());
            }
            if (!root.isObject()) {
                throw new CliException("Error parsing job file " + file + ": expected a JSON object");
            }
            // Accept both the API's {"Job": {...}} envelope and a bare job.
            return root.path("Job").isObject() ? root.get("Job") : root;
        }
        ObjectNode req = api.json().createObjectNode()
                .put("JobHCL", text).put("Canonicalize", true).put("Filename", file);
        ApiClient.Response r = api.send("POST", "/v1/jobs/parse", req);
        r.headers().firstValue("X-Drover-Warnings").ifPresent(h -> warnings(api, h).forEach(w -> err.println("Warning: " + w)));
        if (r.status() == 400) {
            // The body is "file:line:col: message" lines; keep them at line starts so editors can jump.
            throw new CliException("Error parsing job file " + file + ":\n" + r.text().strip());
        }
        if (!r.ok()) {
            throw ApiClient.error("parsing job file " + file, r.status(), r.text());
        }
        JsonNode job = api.parse(r.body(), "parsing job file " + file);
        return job.path("Job").isObject() ? job.get("Job") : job;
    }

    private static List<String> warnings(ApiClient api, String header) {
        List<String> ws = new ArrayList<>();
        try {
            api.json().readTree(header).forEach(w -> ws.add(w.asString("")));
        } catch (JacksonException e) {
            ws.add(header); // not the JSON array we expect: still worth showing
        }
        return ws;
    }

    /** " (version N)" from the stored job; the register answer only carries a modify index. */
    private static String version(ApiClient api, String id) {
        try {
            JsonNode j = api.get("/v1/job/" + ApiClient.enc(id), "querying job");
            return j.has("Version") ? " (version " + Model.num(j, "Version") + ")" : "";
        } catch (CliException e) {
            return "";
        }
    }

    private int monitor(Cli cli, List<String> allocIds) {
        PrintStream out = cli.ctx.out();
        ApiClient api = cli.api();
        if (allocIds.isEmpty()) {
            out.println("==> Finished: no allocations were created");
            return 0;
        }
        Map<String, Allocation> done = new LinkedHashMap<>();
        List<String> pending = new ArrayList<>(allocIds);
        TaskEventFeed events = new TaskEventFeed();
        Instant deadline = cli.ctx.clock().instant().plus(cli.ctx.waitTimeout());
        boolean first = true;
        while (true) {
            for (String id : List.copyOf(pending)) {
                Allocation a = Allocation.from(api.get("/v1/allocation/" + ApiClient.enc(id), "querying allocation"));
                if (first) {
                    out.println("    Allocation \"" + Format.id(id, verbose) + "\" created: group \""
                            + a.taskGroup() + "\", name \"" + a.name() + "\"");
                }
                // What the tasks are doing while we wait (image pulls report "Pulled X MB of Y MB").
                String prefix = "    Allocation \"" + Format.id(id, verbose) + "\" task ";
                events.newEvents(a).forEach(e -> out.println(prefix + "\"" + e.task() + "\": " + e.line()));
                if (!"pending".equals(a.clientStatus())) {
                    out.println("    Allocation \"" + Format.id(id, verbose) + "\" status \"" + a.clientStatus() + "\"");
                    pending.remove(id);
                    done.put(id, a);
                }
            }
            first = false;
            if (pending.isEmpty()) {
                break;
            }
            if (!cli.ctx.clock().instant().isBefore(deadline)) {
                throw new CliException("Error waiting for allocations: still pending after "
                        + cli.ctx.waitTimeout().toSeconds() + "s: "
                        + String.join(", ", pending.stream().map(Format::shortId).toList()));
            }
            sleep(cli.ctx.pollInterval());
        }
        out.println("==> Finished: allocations "
                + String.join(",", allocIds.stream().map(a -> Format.id(a, verbose)).toList()));
        List<Allocation> failed = done.values().stream().filter(a -> "failed".equals(a.clientStatus())).toList();
        failed.forEach(a -> diagnose(cli, a));
        return failed.isEmpty() ? 0 : 2;
    }

    /** Why an allocation failed: each failed task's latest events, newest first. */
    private void diagnose(Cli cli, Allocation a) {
        PrintStream out = cli.ctx.out();
        out.println();
        out.println("==> Allocation \"" + Format.id(a.id(), verbose) + "\" failed");
        a.taskStates().forEach((task, st) -> {
            if (!st.failed() && a.taskStates().values().stream().anyMatch(TaskState::failed)) {
                return; // show the culprits, not siblings killed because of them
            }
            out.println("    Task \"" + task + "\" is \"" + st.state() + "\"" + (st.failed() ? " (failed)" : ""));
            List<TaskEvent> ev = st.events();
            List<String[]> rows = new ArrayList<>();
            for (int i = ev.size() - 1; i >= Math.max(0, ev.size() - DIAGNOSIS_EVENTS); i--) {
                TaskEvent e = ev.get(i);
                rows.add(new String[] {Format.time(e.time(), cli.ctx.zone()), e.type(), e.description()});
            }
            out.print(Format.indent(Format.table(rows), "      "));
        });
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Error: interrupted");
        }
    }
}
