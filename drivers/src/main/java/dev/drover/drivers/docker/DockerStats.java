package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.sdk.driver.ResourceUsage;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import tools.jackson.databind.JsonNode;

/**
 * A docker task's resource usage from the engine's stats endpoint, mapped onto the SDK's
 * {@link ResourceUsage} as the executor maps a cgroup: RSS = anonymous memory, cache = page cache,
 * usage = what the cgroup is charged (cache included), CPU times in nanoseconds.
 *
 * <p>Asked with {@code stream=false&one-shot=true} (API 1.41): a plain {@code stream=false} makes
 * the engine take two samples a second apart to fill {@code precpu_stats}, so each call would take
 * 1–2 s and hold up the agent's once-a-second sampling round. With one-shot the answer comes at
 * once and {@code precpu_stats} is empty, so the CPU percent is computed here from this
 * container's previous reading (cumulative CPU time over wall time), like the executor's sampler.
 *
 * <p>Field names differ by cgroup version: v1 has {@code memory_stats.stats.{total_,}rss, cache,
 * swap} and {@code max_usage}; v2 has {@code anon} and {@code file} and no peak or swap (0 here).
 */
final class DockerStats {
    static final Duration TIMEOUT = Duration.ofSeconds(10);

    /** The previous reading per task: {cpu total ns, read time ns}. */
    private final Map<String, long[]> previous = new ConcurrentHashMap<>();
    private final DockerApi api;

    DockerStats(DockerApi api) {
        this.api = api;
    }

    /** The usage of task {@code taskId}, whose container is {@code containerId}. */
    ResourceUsage read(String taskId, String containerId) {
        var s = api.call("GET", "/containers/" + containerId + "/stats?stream=false&one-shot=true", null, TIMEOUT);
        long readAt = readTime(s);
        long total = s.path("cpu_stats").path("cpu_usage").path("total_usage").asLong(0);
        long[] before = previous.put(taskId, new long[] {total, readAt});
        double percent = before != null && readAt > before[1] ? Math.max(0, total - before[0]) * 100.0 / (readAt - before[1]) : 0;
        return map(s, percent, readAt);
    }

    /** Forgets a destroyed task's previous reading. */
    void forget(String taskId) {
        previous.remove(taskId);
    }

    /** The engine's answer as a {@link ResourceUsage}; {@code percent} of one core. */
    static ResourceUsage map(JsonNode s, double percent, long timestampNanos) {
        var mem = s.path("memory_stats");
        var stats = mem.path("stats");
        boolean v1 = stats.has("rss") || stats.has("total_rss") || stats.has("cache");
        long rss = v1 ? first(stats, "total_rss", "rss") : stats.path("anon").asLong(0);
        long cache = v1 ? first(stats, "total_cache", "cache") : stats.path("file").asLong(0);
        long swap = v1 ? first(stats, "total_swap", "swap") : 0;
        var cpu = s.path("cpu_stats");
        var usage = cpu.path("cpu_usage");
        var throttling = cpu.path("throttling_data");
        return new ResourceUsage(
                new ResourceUsage.Memory(rss, cache, swap, mem.path("usage").asLong(0), mem.path("max_usage").asLong(0)),
                new ResourceUsage.Cpu(usage.path("usage_in_usermode").asLong(0), usage.path("usage_in_kernelmode").asLong(0), percent,
                        throttling.path("throttled_periods").asLong(0), throttling.path("throttled_time").asLong(0)),
                s.path("pids_stats").path("current").asInt(0), timestampNanos);
    }

    private static long first(JsonNode stats, String hierarchical, String local) {
        return stats.has(hierarchical) ? stats.path(hierarchical).asLong(0) : stats.path(local).asLong(0);
    }

    /** The engine's "read" timestamp in unix nanoseconds; now when it is missing or unreadable. */
    static long readTime(JsonNode s) {
        try {
            var t = Instant.parse(s.path("read").asString(""));
            if (t.getEpochSecond() > 0) return t.getEpochSecond() * 1_000_000_000L + t.getNano();
        } catch (DateTimeParseException e) {
            // fall through
        }
        long now = System.currentTimeMillis();
        return now * 1_000_000L;
    }
}
