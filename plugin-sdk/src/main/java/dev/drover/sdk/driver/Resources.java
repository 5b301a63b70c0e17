package dev.drover.sdk.driver;

/** The resources a task asked for: CPU in MHz (also its CPU shares), memory in MB. */
public record Resources(int cpuMhz, int memoryMB, int memoryMaxMB) {
    public Resources {
        if (cpuMhz < 0) throw new IllegalArgumentException("cpu must not be negative");
        if (memoryMB < 0) throw new IllegalArgumentException("memory must not be negative");
        if (memoryMaxMB < 0) throw new IllegalArgumentException("memory_max must not be negative");
    }

    /** The hard memory limit: memory_max when set, else memory (Nomad's rule). */
    public long memoryLimitBytes() {
        return (long) Math.max(memoryMB, memoryMaxMB) << 20;
    }
}
