package dev.drover.agent.job;

/**
 * What a task may use.
 *
 * @param cpu MHz
 * @param memoryMB the memory the task reserves
 * @param memoryMaxMB the hard limit when oversubscription is allowed; 0 = unset (limit = memoryMB)
 */
public record Resources(int cpu, int memoryMB, int memoryMaxMB) {

    /** Nomad's lower bounds. */
    public static final int MIN_CPU = 1;
    public static final int MIN_MEMORY_MB = 10;

    public Resources {
        new Checks()
                .check(cpu >= MIN_CPU, "cpu", "cpu must be at least " + MIN_CPU + " MHz, got " + cpu)
                .check(memoryMB >= MIN_MEMORY_MB, "memoryMB", "memory must be at least " + MIN_MEMORY_MB + " MB, got " + memoryMB)
                .check(memoryMaxMB == 0 || memoryMaxMB >= memoryMB, "memoryMaxMB",
                        "memory_max must be 0 (unset) or at least memory (" + memoryMB + " MB), got " + memoryMaxMB)
                .throwIfAny();
    }
}
