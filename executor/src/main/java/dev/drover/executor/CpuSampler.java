package dev.drover.executor;

/** CPU percent (of one core) between consecutive samples of a cumulative CPU time. */
final class CpuSampler {
    private long lastCpuNanos = -1;
    private long lastWallNanos;

    synchronized double percent(long cpuNanos, long wallNanos) {
        double percent = 0;
        if (lastCpuNanos >= 0 && wallNanos > lastWallNanos) {
            // Per-process sums can drop when a process exits: never report negative usage.
            percent = Math.max(0, cpuNanos - lastCpuNanos) * 100.0 / (wallNanos - lastWallNanos);
        }
        lastCpuNanos = cpuNanos;
        lastWallNanos = wallNanos;
        return percent;
    }
}
