package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Result;
import org.junit.jupiter.api.Test;

/** {@code alloc status -stats} and {@code node status -self} render what the agent reports. */
class ObservabilityCliTest {
    static final String ID = AllocStatusTest.ID;
    static final long MB = 1024 * 1024;

    static final String ALLOC = """
            {"ID":"%s","Name":"example.web[0]","Namespace":"default","JobID":"example","TaskGroup":"web",
             "DesiredStatus":"run","ClientStatus":"running","CreateTime":0,"ModifyTime":0,
             "Job":{"TaskGroups":[{"Name":"web","Tasks":[{"Name":"web","Resources":{"CPU":200,"MemoryMB":100}}]}]},
             "TaskStates":{"web":{"State":"running","Events":[]}}}
            """.formatted(ID);

    static final String STATS = """
            {"ResourceUsage":{},"Timestamp":1,
             "Tasks":{"web":{"Timestamp":1,"ResourceUsage":{
               "MemoryStats":{"RSS":%d,"Cache":0,"Swap":0,"Usage":%d,"MaxUsage":%d},
               "CpuStats":{"Percent":5.0,"TotalTicks":50.0,"UserMode":4.0,"SystemMode":1.0}}}}}
            """.formatted(25 * MB, 25 * MB, 30 * MB);

    @Test
    void allocStatusStatsShowsCpuAndMemoryAgainstTheReservationWithBars() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ALLOC);
            agent.onJson("GET", "/v1/allocation/" + ID, ALLOC);
            agent.onJson("GET", "/v1/client/allocation/" + ID + "/stats", STATS);

            Result r = agent.run("alloc", "status", "-stats", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("""
                    Task Resources:
                    CPU                         Memory
                    50/200 MHz                  25 MiB/100 MiB
                    [#####---------------] 25%  [#####---------------] 25%
                    """), r.out());
        }
    }

    @Test
    void withoutStatsNoStatsAreFetched() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ALLOC);
            Result r = agent.run("alloc", "status", "5d3c");
            assertEquals(0, r.code(), r.err());
            assertTrue(!r.out().contains("Task Resources"), r.out());
        }
    }

    @Test
    void nodeStatusSelfShowsDriverHealthAndHostUse() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/node/self", """
                    {"ID":"7f1c2b3a-0000-4000-8000-000000000001","Name":"box","Datacenter":"dc1","Status":"ready",
                     "NodeClass":"","NodePool":"default","Attributes":{"kernel.name":"linux","driver.raw_exec":"1"},
                     "Drivers":{"raw_exec":{"Detected":true,"Healthy":true,"HealthDescription":"Healthy"},
                                "exec":{"Detected":true,"Healthy":false,"HealthDescription":"runc missing"}}}
                    """);
            agent.onJson("GET", "/v1/client/stats", """
                    {"Memory":{"Total":%d,"Used":%d},"CPU":[{"CPU":"cpu0","Total":50.0},{"CPU":"cpu1","Total":0.0}],
                     "CPUTicksConsumed":1000.0,"DiskStats":[{"Size":%d,"Used":%d}],"Uptime":3725}
                    """.formatted(1000 * MB, 250 * MB, 4000 * MB, 1000 * MB));

            Result r = agent.run("node", "status", "-self", "-verbose");

            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("Drivers   = raw_exec\n"), r.out());
            assertTrue(r.out().contains("Uptime    = 1h02m05s\n"), r.out());
            assertTrue(r.out().contains("exec      true      false    runc missing"), r.out());
            assertTrue(r.out().contains("raw_exec  true      true     Healthy"), r.out());
            assertTrue(r.out().contains("1000 MHz (25% of 2 cores)"), r.out());
            assertTrue(r.out().contains("250 MiB/1000 MiB"), r.out());
            assertTrue(r.out().contains("driver.raw_exec = 1"), r.out());
        }
    }
}
