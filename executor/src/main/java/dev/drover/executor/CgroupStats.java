package dev.drover.executor;

import java.util.Optional;

/** What a task cgroup knows about its tree, including processes that have exited already. */
public record CgroupStats(Optional<Cpu> cpu, Optional<Memory> memory) {
    public static final CgroupStats NONE = new CgroupStats(Optional.empty(), Optional.empty());

    public record Cpu(long userNanos, long systemNanos, long throttledPeriods, long throttledNanos) {}

    /** Bytes; {@code rss} is the anonymous memory the controller charged. */
    public record Memory(long usage, long maxUsage, long cache, long swap, long rss) {}
}
