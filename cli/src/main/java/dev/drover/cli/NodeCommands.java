package dev.drover.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;

/** {@code drover node ...}: the node this agent runs on. */
@Command(name = "node", description = "Interact with the node (status).",
        subcommands = {NodeCommands.Status.class},
        synopsisSubcommandLabel = "<subcommand>", commandListHeading = "%nSubcommands:%n")
final class NodeCommands implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        return Cli.groupUsage(spec);
    }

    @Command(name = "status", description = "Display the node's identity, driver health and host resource use.")
    static final class Status implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "-self", description = "Show the local node (the only one an agent knows).")
        boolean self;

        @Option(names = "-verbose", description = "Show full IDs and every node attribute.")
        boolean verbose;

        @Override
        public Integer call() {
            Cli cli = Cli.of(spec);
            JsonNode node = cli.api().get("/v1/node/self", "querying node");
            JsonNode host = cli.api().get("/v1/client/stats", "querying host stats");
            PrintStream out = cli.ctx.out();
            if (!self) {
                // Nomad lists nodes without -self; this agent knows one.
                out.print(Format.table(List.of(
                        new String[] {"ID", "DC", "Name", "Status"},
                        new String[] {Format.id(Model.str(node, "ID"), verbose), Model.str(node, "Datacenter"),
                                Model.str(node, "Name"), Model.str(node, "Status")})));
                return 0;
            }
            out.print(Format.kv(List.of(
                    new String[] {"ID", Format.id(Model.str(node, "ID"), verbose)},
                    new String[] {"Name", Model.str(node, "Name")},
                    new String[] {"Node Pool", Model.str(node, "NodePool")},
                    new String[] {"Class", orNone(Model.str(node, "NodeClass"))},
                    new String[] {"DC", Model.str(node, "Datacenter")},
                    new String[] {"Status", Model.str(node, "Status")},
                    new String[] {"Drivers", String.join(",", healthyDrivers(node))},
                    new String[] {"Uptime", uptime(host.path("Uptime").asLong(0))})));
            out.println();
            out.println("Drivers");
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Driver", "Detected", "Healthy", "Message"});
            new TreeMap<>(fields(node.path("Drivers"))).forEach((name, d) -> rows.add(new String[] {name,
                    Boolean.toString(d.path("Detected").asBoolean(false)), Boolean.toString(d.path("Healthy").asBoolean(false)),
                    Model.str(d, "HealthDescription")}));
            out.print(Format.table(rows));
            out.println();
            out.println("Host Resource Utilization");
            out.print(Format.table(hostRows(host)));
            if (verbose) {
                out.println();
                out.println("Attributes");
                List<String[]> attrs = new ArrayList<>();
                new TreeMap<>(fields(node.path("Attributes"))).forEach((k, v) -> attrs.add(new String[] {k, v.asString("")}));
                out.print(Format.kv(attrs));
            }
            return 0;
        }

        private static List<String[]> hostRows(JsonNode host) {
            double cpuUsed = host.path("CPUTicksConsumed").asDouble(0);
            long memTotal = host.path("Memory").path("Total").asLong(0);
            long memUsed = host.path("Memory").path("Used").asLong(0);
            JsonNode disk = host.path("DiskStats").path(0);
            long diskSize = disk.path("Size").asLong(0);
            long diskUsed = disk.path("Used").asLong(0);
            double busy = 0;
            for (JsonNode c : host.path("CPU")) busy += c.path("Total").asDouble(0);
            int cores = Math.max(1, host.path("CPU").size());
            return List.of(new String[] {"CPU", "Memory", "Disk"},
                    new String[] {Math.round(cpuUsed) + " MHz (" + String.format(Locale.ROOT, "%.0f", busy / cores) + "% of " + cores + " cores)",
                            AllocStatsView.bytes(memUsed) + "/" + AllocStatsView.bytes(memTotal),
                            AllocStatsView.bytes(diskUsed) + "/" + AllocStatsView.bytes(diskSize)},
                    new String[] {AllocStatsView.bar(busy, 100.0 * cores), AllocStatsView.bar(memUsed, memTotal),
                            AllocStatsView.bar(diskUsed, diskSize)});
        }

        private static List<String> healthyDrivers(JsonNode node) {
            var out = new ArrayList<String>();
            fields(node.path("Drivers")).forEach((name, d) -> {
                if (d.path("Healthy").asBoolean(false)) out.add(name);
            });
            out.sort(null);
            return out;
        }

        private static Map<String, JsonNode> fields(JsonNode object) {
            var out = new TreeMap<String, JsonNode>();
            for (String name : object.propertyNames()) out.put(name, object.path(name));
            return out;
        }

        private static String uptime(long seconds) {
            return String.format(Locale.ROOT, "%dh%02dm%02ds", seconds / 3600, seconds / 60 % 60, seconds % 60);
        }

        private static String orNone(String s) {
            return s.isEmpty() ? "<none>" : s;
        }
    }
}
