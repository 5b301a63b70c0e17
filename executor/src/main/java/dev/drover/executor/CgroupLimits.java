package dev.drover.executor;

import dev.drover.sdk.driver.Resources;

/**
 * The limits a task cgroup enforces, in cgroup v1 units. Zero means "none" everywhere: applying it
 * resets the knob to the kernel's default, so an update can lift a limit again.
 *
 * @param cpuShares       relative CPU weight (v1 cpu.shares, 2..262144); v2 gets it converted to cpu.weight
 * @param cpuQuotaMicros  CPU time per period (CFS bandwidth), 0 for no hard cap
 * @param cpuPeriodMicros the CFS period, 0 for the kernel's default of 100 ms
 * @param memoryMaxBytes  the hard memory limit; the OOM killer acts above it
 * @param memoryLowBytes  the soft limit / protection (v1 memory.soft_limit_in_bytes, v2 memory.low)
 * @param pidsMax         the most processes (and threads) at once
 */
public record CgroupLimits(long cpuShares, long cpuQuotaMicros, long cpuPeriodMicros,
                           long memoryMaxBytes, long memoryLowBytes, long pidsMax) {
    public static final long MIN_SHARES = 2;
    public static final long MAX_SHARES = 262_144;
    /** The kernel's default CFS period and share count: what "none" writes back. */
    static final long DEFAULT_PERIOD_MICROS = 100_000;
    static final long DEFAULT_SHARES = 1024;
    /** cgroup2's default cpu.weight (not convertWeight(1024), which is 39). */
    static final long DEFAULT_WEIGHT = 100;

    public static final CgroupLimits NONE = new CgroupLimits(0, 0, 0, 0, 0, 0);

    public CgroupLimits {
        if (cpuShares < 0 || cpuQuotaMicros < 0 || cpuPeriodMicros < 0 || memoryMaxBytes < 0 || memoryLowBytes < 0 || pidsMax < 0) {
            throw new IllegalArgumentException("cgroup limits must not be negative");
        }
        if (cpuShares != 0 && (cpuShares < MIN_SHARES || cpuShares > MAX_SHARES)) {
            throw new IllegalArgumentException("cpu shares must be within " + MIN_SHARES + ".." + MAX_SHARES + ", got " + cpuShares);
        }
        // The kernel's own bounds (kernel/sched/core.c): period 1 ms..1 s, quota at least 1 ms.
        if (cpuPeriodMicros != 0 && (cpuPeriodMicros < 1_000 || cpuPeriodMicros > 1_000_000)) {
            throw new IllegalArgumentException("cpu period must be within 1000..1000000 µs, got " + cpuPeriodMicros);
        }
        if (cpuQuotaMicros != 0 && cpuQuotaMicros < 1_000) {
            throw new IllegalArgumentException("cpu quota must be at least 1000 µs, got " + cpuQuotaMicros);
        }
        if (memoryMaxBytes != 0 && memoryLowBytes > memoryMaxBytes) {
            throw new IllegalArgumentException("the memory soft limit " + memoryLowBytes + " exceeds the hard limit " + memoryMaxBytes);
        }
    }

    /**
     * Nomad's rules: CPU MHz are the shares (clamped to what the kernel takes); with memory_max above
     * memory, memory_max is the hard limit and memory the soft one, else memory is the hard limit.
     *
     * @param pidsMax the task's pids limit, 0 for none
     */
    public static CgroupLimits of(Resources resources, long pidsMax) {
        long shares = resources.cpuMhz() == 0 ? 0 : Math.clamp(resources.cpuMhz(), MIN_SHARES, MAX_SHARES);
        long memory = (long) resources.memoryMB() << 20;
        long max = (long) resources.memoryMaxMB() << 20;
        return max > memory
                ? new CgroupLimits(shares, 0, 0, max, memory, pidsMax)
                : new CgroupLimits(shares, 0, 0, memory, 0, pidsMax);
    }

    public CgroupLimits withCpuQuota(long quotaMicros, long periodMicros) {
        return new CgroupLimits(cpuShares, quotaMicros, periodMicros, memoryMaxBytes, memoryLowBytes, pidsMax);
    }

    boolean limitsCpu() {
        return cpuShares != 0 || cpuQuotaMicros != 0;
    }

    boolean limitsMemory() {
        return memoryMaxBytes != 0 || memoryLowBytes != 0;
    }

    long periodOrDefault() {
        return cpuPeriodMicros == 0 ? DEFAULT_PERIOD_MICROS : cpuPeriodMicros;
    }

    /** runc's and crun's shares → cpu.weight mapping: 2..262144 onto 1..10000. */
    static long weight(long shares) {
        if (shares == 0) return DEFAULT_WEIGHT;
        return 1 + ((shares - 2) * 9999) / 262_142;
    }
}
