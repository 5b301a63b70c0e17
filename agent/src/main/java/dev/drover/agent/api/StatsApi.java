package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.metrics.HostStats;
import dev.drover.agent.metrics.StatsSampler;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.rpc.Wire;
import java.time.Instant;
import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/**
 * Nomad's stats endpoints: {@code GET /v1/client/allocation/:id/stats[?task=]} (AllocResourceUsage:
 * per running task its ResourceUsage, plus their sum) and {@code GET /v1/client/stats} (HostStats).
 * Values come from the stats sampler's latest round (interval 1s).
 */
final class StatsApi {
    private final AllocManager allocs;
    private final StatsSampler sampler;
    private final double mhz = HostStats.cpuMhz();

    StatsApi(AllocManager allocs, StatsSampler sampler) {
        this.allocs = allocs;
        this.sampler = sampler;
    }

    void register(Router router) {
        router.add("GET", "/v1/client/allocation/:id/stats", this::allocStats)
                .add("GET", "/v1/client/stats", r -> hostStats(sampler.host()));
    }

    private Object allocStats(ApiRequest r) {
        var alloc = allocs.allocation(r.path("id"));
        String only = r.query("task", "");
        var names = only.isEmpty() ? alloc.taskNames() : List.of(alloc.task(only).name()); // task() 404s an unknown name
        var out = Wire.JSON.createObjectNode();
        var tasks = Wire.JSON.createObjectNode();
        long rss = 0, cache = 0, swap = 0, usage = 0, maxUsage = 0, periods = 0, throttled = 0;
        double user = 0, system = 0, percent = 0;
        for (String name : names) {
            var sample = sampler.latest(alloc, name);
            if (sample.isEmpty()) continue; // Nomad lists running tasks only
            var s = sample.get();
            var m = s.usage().memory();
            var c = s.usage().cpu();
            rss += m.rss(); cache += m.cache(); swap += m.swap(); usage += m.usage(); maxUsage += m.maxUsage();
            periods += c.throttledPeriods(); throttled += c.throttledNanos();
            user += s.userPercent(); system += s.systemPercent(); percent += c.percent();
            var t = tasks.putObject(name);
            t.set("ResourceUsage", resourceUsage(m, s.userPercent(), s.systemPercent(), c.percent(), c.throttledPeriods(), c.throttledNanos()));
            t.put("Timestamp", s.timestamp());
            t.putNull("Pids");
        }
        out.set("ResourceUsage", resourceUsage(new ResourceUsage.Memory(rss, cache, swap, usage, maxUsage), user, system, percent, periods, throttled));
        out.set("Tasks", tasks);
        out.put("Timestamp", nowNanos());
        return out;
    }

    private ObjectNode resourceUsage(ResourceUsage.Memory m, double user, double system, double percent, long periods, long throttledNanos) {
        var node = Wire.JSON.createObjectNode();
        var mem = node.putObject("MemoryStats").put("RSS", m.rss()).put("Cache", m.cache()).put("Swap", m.swap())
                .put("MappedFile", 0).put("Usage", m.usage()).put("MaxUsage", m.maxUsage()).put("KernelUsage", 0).put("KernelMaxUsage", 0);
        var measured = mem.putArray("Measured");
        // Without a memory cgroup only the process tree's RSS is known.
        (m.maxUsage() > 0 ? List.of("RSS", "Cache", "Swap", "Usage", "Max Usage") : List.of("RSS")).forEach(measured::add);
        var cpu = node.putObject("CpuStats").put("SystemMode", system).put("UserMode", user)
                .put("TotalTicks", percent / 100 * mhz).put("ThrottledPeriods", periods).put("ThrottledTime", throttledNanos)
                .put("Percent", percent);
        var cpuMeasured = cpu.putArray("Measured");
        List.of("System Mode", "User Mode", "Percent", "Throttled Periods", "Throttled Time").forEach(cpuMeasured::add);
        node.putArray("DeviceStats");
        return node;
    }

    private ObjectNode hostStats(HostStats h) {
        var out = Wire.JSON.createObjectNode();
        out.putObject("Memory").put("Total", h.memory().total()).put("Available", h.memory().available())
                .put("Used", h.memory().used()).put("Free", h.memory().free());
        var cpus = out.putArray("CPU");
        double ticks = 0;
        for (var c : h.cpus()) {
            cpus.addObject().put("CPU", c.name()).put("User", c.user()).put("System", c.system()).put("Idle", c.idle()).put("Total", c.total());
            ticks += c.total() / 100 * mhz;
        }
        out.put("CPUTicksConsumed", ticks);
        out.putArray("DiskStats").add(disk(h.disk()));
        out.set("AllocDirStats", disk(h.allocDisk()));
        out.put("Uptime", h.uptime());
        out.put("Timestamp", h.timestamp());
        return out;
    }

    private static ObjectNode disk(HostStats.Disk d) {
        return Wire.JSON.createObjectNode().put("Device", "").put("Mountpoint", d.mountpoint()).put("Size", d.size())
                .put("Used", d.used()).put("Available", d.available()).put("UsedPercent", d.usedPercent())
                .put("InodesUsedPercent", 0.0);
    }

    private static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
