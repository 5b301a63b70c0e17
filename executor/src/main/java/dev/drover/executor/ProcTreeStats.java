package dev.drover.executor;

import java.util.Collection;

/**
 * CPU time and resident memory summed over a set of processes, from /proc/PID/stat. Only live
 * processes count, so CPU totals can drop when a process exits: prefer cgroup counters for CPU.
 */
public final class ProcTreeStats {
    private ProcTreeStats() {}

    public record Totals(int processes, long rssBytes, long userNanos, long systemNanos) {
        public static final Totals NONE = new Totals(0, 0, 0, 0);
    }

    public static Totals collect(Collection<Integer> pids) {
        int count = 0;
        long rssPages = 0, userTicks = 0, systemTicks = 0;
        for (int pid : pids) {
            var stat = ProcTable.readStat(pid).orElse(null);
            if (stat == null || stat.state() == 'Z' || stat.state() == 'X') continue;
            count++;
            rssPages += stat.rssPages();
            userTicks += stat.utimeTicks();
            systemTicks += stat.stimeTicks();
        }
        return new Totals(count, rssPages * LibC.PAGE_SIZE, ticksToNanos(userTicks), ticksToNanos(systemTicks));
    }

    static long ticksToNanos(long ticks) {
        return ticks * (1_000_000_000L / LibC.CLOCK_TICKS);
    }
}
