package dev.drover.cli;

import dev.drover.cli.Model.Allocation;
import dev.drover.cli.Model.Port;
import dev.drover.cli.Model.TaskEvent;
import dev.drover.cli.Model.TaskState;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import tools.jackson.databind.node.ObjectNode;

/** {@code drover alloc ...}: inspect and act on allocations. */
@Command(name = "alloc", description = "Interact with allocations (status, logs, exec, signal, restart).",
        subcommands = {AllocCommands.Status.class, AllocLogs.class, AllocCommands.Signal.class,
                AllocCommands.Restart.class, AllocExec.class},
        synopsisSubcommandLabel = "<subcommand>", commandListHeading = "%nSubcommands:%n")
final class AllocCommands implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.groupUsage(spec);
    }

    /** Looks an allocation up by ID or unique prefix; the answer carries the full ID. */
    static Allocation fetch(ApiClient api, String idOrPrefix) {
        try {
            return Allocation.from(api.get("/v1/allocation/" + ApiClient.enc(idOrPrefix), "querying allocation"));
        } catch (ApiException e) {
            if (e.status() == 404) {
                throw new CliException("Error: no allocation with prefix or id \"" + idOrPrefix + "\" found");
            }
            throw e;
        }
    }

    /**
     * The task a command targets: {@code -task} or the positional one (not two different ones),
     * checked against the allocation's tasks when those are known. May return "" (= none given).
     */
    static String task(String command, Allocation a, String flag, String positional) {
        if (flag != null && positional != null && !flag.equals(positional)) {
            throw CliException.usage(command, "task given twice: -task " + flag + " and " + positional);
        }
        String t = flag != null ? flag : positional != null ? positional : "";
        if (!t.isEmpty() && !a.taskNames().isEmpty() && !a.taskNames().contains(t)) {
            throw new CliException("Error: allocation \"" + Format.shortId(a.id()) + "\" has no task \"" + t
                    + "\"; its tasks: " + String.join(", ", a.taskNames()));
        }
        return t;
    }

    @Command(name = "status", description = "Display an allocation's status, addresses and task events.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-verbose", description = "Show full IDs and absolute times.")
        boolean verbose;

        @Option(names = "-stats", description = "Show each running task's CPU and memory use.")
        boolean stats;

        @Parameters(paramLabel = "<alloc>", description = "Allocation ID or unique prefix.")
        String alloc;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            Allocation a = fetch(cli.api(), alloc);
            PrintStream out = cli.ctx.out();
            Instant now = cli.ctx.clock().instant();
            List<String[]> kv = new ArrayList<>();
            kv.add(new String[] {"ID", Format.id(a.id(), verbose)});
            kv.add(new String[] {"Name", a.name()});
            if (verbose) {
                kv.add(new String[] {"Namespace", a.namespace()});
            }
            kv.add(new String[] {"Job ID", a.jobId()});
            kv.add(new String[] {"Task Group", a.taskGroup()});
            kv.add(new String[] {"Client Status", a.clientStatus()});
            kv.add(new String[] {"Desired Status", a.desiredStatus()});
            kv.add(new String[] {"Created", when(cli, a.createTime(), now)});
            kv.add(new String[] {"Modified", when(cli, a.modifyTime(), now)});
            out.print(Format.kv(kv));

            if (!a.ports().isEmpty()) {
                out.println();
                out.println("Allocation Addresses:");
                List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"Label", "Address"});
                for (Port p : a.ports()) {
                    String host = p.hostIp().isEmpty() ? "127.0.0.1" : p.hostIp();
                    rows.add(new String[] {"*" + p.label(), host + ":" + p.value() + (p.to() > 0 ? " -> " + p.to() : "")});
                }
                out.print(Format.table(rows));
            }
            AllocStatsView usage = stats ? AllocStatsView.fetch(cli.api(), a.id()) : null;
            for (Map.Entry<String, TaskState> e : a.taskStates().entrySet()) {
                task(cli, e.getKey(), e.getValue());
                if (usage != null) {
                    out.println();
                    usage.printTask(out, a.taskGroup(), e.getKey());
                }
            }
            return 0;
        }

        private void task(Cli cli, String name, TaskState st) {
            PrintStream out = cli.ctx.out();
            out.println();
            out.println("Task \"" + name + "\" is \"" + st.state() + "\"");
            out.println("Task Events:");
            out.print(Format.kv(List.of(
                    new String[] {"Started At", orNa(Format.time(st.startedAt(), cli.ctx.zone()))},
                    new String[] {"Finished At", orNa(Format.time(st.finishedAt(), cli.ctx.zone()))},
                    new String[] {"Total Restarts", Long.toString(st.restarts())},
                    new String[] {"Last Restart", orNa(Format.time(st.lastRestart(), cli.ctx.zone()))})));
            if (st.network() != null) {
                driverNetwork(out, st.network());
            }
            out.println();
            out.println("Recent Events:");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Time", "Type", "Description"});
            List<TaskEvent> ev = st.events();
            for (int i = ev.size() - 1; i >= 0; i--) { // newest first, as Nomad
                TaskEvent e = ev.get(i);
                rows.add(new String[] {Format.time(e.time(), cli.ctx.zone()), e.type(), e.description()});
            }
            out.print(Format.table(rows));
        }

        /** What the driver reported from the task's latest start (e.g. a container's IP and port map). */
        private static void driverNetwork(PrintStream out, Model.DriverNetwork n) {
            List<String> ports = new ArrayList<>();
            n.portMap().forEach((label, port) -> ports.add(label + " -> " + port));
            out.println();
            out.println("Driver Network:");
            out.print(Format.kv(List.of(
                    new String[] {"IP", orNa(n.ip())},
                    new String[] {"Port Map", ports.isEmpty() ? "N/A" : String.join(", ", ports)})));
        }

        private String when(Cli cli, long nanos, Instant now) {
            return verbose ? Format.time(nanos, cli.ctx.zone()) : Format.ago(nanos, now);
        }

        private static String orNa(String s) {
            return s.isEmpty() ? "N/A" : s;
        }
    }

    @Command(name = "signal", description = "Send a signal to an allocation's tasks (default SIGKILL, as Nomad).")
    static final class Signal implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-s", paramLabel = "<signal>", defaultValue = "SIGKILL",
                description = "Signal to send, e.g. SIGHUP. Default: ${DEFAULT-VALUE}.")
        String signal;

        @Option(names = "-task", paramLabel = "<task>", description = "Only signal this task.")
        String taskFlag;

        @Parameters(index = "0", paramLabel = "<alloc>", description = "Allocation ID or unique prefix.")
        String alloc;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<task>", description = "Only signal this task.")
        String taskArg;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            ApiClient api = cli.api();
            Allocation a = fetch(api, alloc);
            String task = task(spec.qualifiedName(), a, taskFlag, taskArg);
            ObjectNode body = api.json().createObjectNode().put("Task", task).put("Signal", normalize(signal));
            api.post("/v1/client/allocation/" + ApiClient.enc(a.id()) + "/signal", body, "signalling allocation");
            return 0;
        }

        /** "hup" and "HUP" mean SIGHUP; numbers pass through for the agent to judge. */
        static String normalize(String s) {
            String u = s.strip().toUpperCase(Locale.ROOT);
            return u.startsWith("SIG") || u.chars().allMatch(Character::isDigit) ? u : "SIG" + u;
        }
    }

    @Command(name = "restart", description = "Restart an allocation's tasks in place.")
    static final class Restart implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-task", paramLabel = "<task>", description = "Only restart this task.")
        String taskFlag;

        @Option(names = "-all-tasks", description = "Restart all tasks, including ones already finished (e.g. prestart).")
        boolean allTasks;

        @Parameters(index = "0", paramLabel = "<alloc>", description = "Allocation ID or unique prefix.")
        String alloc;

        @Parameters(index = "1", arity = "0..1", paramLabel = "<task>", description = "Only restart this task.")
        String taskArg;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            if (allTasks && (taskFlag != null || taskArg != null)) {
                throw CliException.usage(spec.qualifiedName(), "-all-tasks cannot be combined with a task name");
            }
            ApiClient api = cli.api();
            Allocation a = fetch(api, alloc);
            String task = task(spec.qualifiedName(), a, taskFlag, taskArg);
            ObjectNode body = api.json().createObjectNode().put("TaskName", task).put("AllTasks", allTasks);
            api.post("/v1/client/allocation/" + ApiClient.enc(a.id()) + "/restart", body, "restarting allocation");
            return 0;
        }
    }
}
