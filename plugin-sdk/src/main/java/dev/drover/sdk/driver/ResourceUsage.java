package dev.drover.sdk.driver;

/**
 * Resource usage of a task at one instant (Nomad's TaskResourceUsage, flattened). Memory in bytes,
 * CPU times in nanoseconds, percent of one core.
 */
public record ResourceUsage(Memory memory, Cpu cpu, int processes, long timestampNanos) {
    public record Memory(long rss, long cache, long swap, long usage, long maxUsage) {}

    public record Cpu(long userNanos, long systemNanos, double percent, long throttledPeriods, long throttledNanos) {
        public long totalNanos() {
            return userNanos + systemNanos;
        }
    }
}
