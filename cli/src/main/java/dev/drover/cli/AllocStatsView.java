package dev.drover.cli;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import tools.jackson.databind.JsonNode;

/**
 * The {@code -stats} part of {@code drover alloc status}: per task its CPU (MHz) and memory used
 * against what it asked for, with a bar each, from {@code /v1/client/allocation/:id/stats}.
 */
final class AllocStatsView {
    private static final int BAR = 20;

    private final JsonNode stats;
    private final JsonNode job;

    private AllocStatsView(JsonNode stats, JsonNode job) {
        this.stats = stats;
        this.job = job;
    }

    /** Reads the allocation's stats and its job (for the tasks' reserved resources). */
    static AllocStatsView fetch(ApiClient api, String allocId) {
        String id = ApiClient.enc(allocId);
        return new AllocStatsView(api.get("/v1/client/allocation/" + id + "/stats", "querying allocation stats"),
                api.get("/v1/allocation/" + id, "querying allocation").path("Job"));
    }

    void printTask(PrintStream out, String group, String task) {
        out.println("Task Resources:");
        JsonNode usage = stats.path("Tasks").path(task).path("ResourceUsage");
        if (usage.isMissingNode()) {
            out.println("(not running: no resource usage)");
            return;
        }
        JsonNode reserved = resources(group, task);
        double mhz = usage.path("CpuStats").path("TotalTicks").asDouble(0);
        long cpuAsk = reserved.path("CPU").asLong(0);
        long memory = usage.path("MemoryStats").path("RSS").asLong(0);
        long memoryAsk = reserved.path("MemoryMB").asLong(0) * 1024 * 1024;
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"CPU", "Memory"});
        rows.add(new String[] {Math.round(mhz) + "/" + cpuAsk + " MHz", bytes(memory) + "/" + bytes(memoryAsk)});
        rows.add(new String[] {bar(mhz, cpuAsk), bar(memory, memoryAsk)});
        out.print(Format.table(rows));
    }

    private JsonNode resources(String group, String task) {
        for (JsonNode g : job.path("TaskGroups")) {
            if (!g.path("Name").asString("").equals(group)) continue;
            for (JsonNode t : g.path("Tasks")) {
                if (t.path("Name").asString("").equals(task)) return t.path("Resources");
            }
        }
        return job.path("no such field"); // a missing node: reads as 0
    }

    /** "[#####---------------] 25%"; over 100% the bar is full and the figure says so. */
    static String bar(double used, double reserved) {
        if (reserved <= 0) return "";
        double share = used / reserved;
        int filled = (int) Math.min(BAR, Math.round(share * BAR));
        return "[" + "#".repeat(filled) + "-".repeat(BAR - filled) + "] " + Math.round(share * 100) + "%";
    }

    static String bytes(long n) {
        if (n < 1024) return n + " B";
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, v >= 10 ? "%.0f %s" : "%.1f %s", v, units[u]);
    }
}
