package dev.drover.drivers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drover.sdk.rpc.Wire;
import org.junit.jupiter.api.Test;

/**
 * The mapping of the engine's stats answer, in both cgroup versions' shapes (the real engine on a
 * cgroup v1 host is tested in DockerDriverTest; these are the fields the Engine API 1.41 returns).
 */
class DockerStatsTest {
    @Test
    void cgroupV1FieldsPreferTheHierarchicalTotals() {
        var s = Wire.JSON.readTree("""
                {"read":"2026-11-20T10:00:01.5Z",
                 "pids_stats":{"current":3},
                 "memory_stats":{"usage":73400320,"max_usage":80000000,"limit":268435456,
                   "stats":{"rss":60000000,"total_rss":61000000,"cache":9000000,"total_cache":9100000,"swap":0,"total_swap":4096}},
                 "cpu_stats":{"cpu_usage":{"total_usage":3000000000,"usage_in_usermode":2500000000,"usage_in_kernelmode":400000000},
                   "throttling_data":{"periods":10,"throttled_periods":4,"throttled_time":120000000}},
                 "precpu_stats":{}}
                """);
        var u = DockerStats.map(s, 42.5, DockerStats.readTime(s));
        assertEquals(61_000_000, u.memory().rss());
        assertEquals(9_100_000, u.memory().cache());
        assertEquals(4096, u.memory().swap());
        assertEquals(73_400_320, u.memory().usage());
        assertEquals(80_000_000, u.memory().maxUsage());
        assertEquals(2_500_000_000L, u.cpu().userNanos());
        assertEquals(400_000_000L, u.cpu().systemNanos());
        assertEquals(42.5, u.cpu().percent());
        assertEquals(4, u.cpu().throttledPeriods());
        assertEquals(120_000_000L, u.cpu().throttledNanos());
        assertEquals(3, u.processes());
        assertEquals(1_795_168_801_500_000_000L, u.timestampNanos());
    }

    @Test
    void cgroupV2FieldsUseAnonAndFileAndHaveNoPeak() {
        var s = Wire.JSON.readTree("""
                {"read":"2026-11-20T10:00:01.000000123Z",
                 "pids_stats":{"current":1},
                 "memory_stats":{"usage":55000000,"limit":268435456,"stats":{"anon":52428800,"file":2000000,"inactive_file":100000}},
                 "cpu_stats":{"cpu_usage":{"total_usage":900000,"usage_in_usermode":700000,"usage_in_kernelmode":200000},
                   "throttling_data":{"periods":0,"throttled_periods":0,"throttled_time":0}}}
                """);
        var u = DockerStats.map(s, 0, DockerStats.readTime(s));
        assertEquals(52_428_800, u.memory().rss());
        assertEquals(2_000_000, u.memory().cache());
        assertEquals(0, u.memory().swap());
        assertEquals(55_000_000, u.memory().usage());
        assertEquals(0, u.memory().maxUsage());
        assertEquals(700_000, u.cpu().userNanos());
        assertEquals(200_000, u.cpu().systemNanos());
        assertEquals(1_795_168_801_000_000_123L, u.timestampNanos());
    }

    @Test
    void aMissingReadTimeIsNow() {
        long before = System.currentTimeMillis() * 1_000_000L;
        long t = DockerStats.readTime(Wire.JSON.readTree("{\"read\":\"0001-01-01T00:00:00Z\"}"));
        assertEquals(true, t >= before && t <= System.currentTimeMillis() * 1_000_000L, Long.toString(t));
    }
}
