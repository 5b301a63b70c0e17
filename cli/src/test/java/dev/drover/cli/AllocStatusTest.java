package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Reply;
import dev.drover.cli.FakeAgent.Result;
import org.junit.jupiter.api.Test;

class AllocStatusTest {
    static final String ID = "5d3c37b5-7a3e-4c1f-9d2a-0123456789ab";
    static final long S = 1_000_000_000L;
    /** 2024-01-02T03:04:00Z, 5 s before FakeAgent.NOW. */
    static final long T = 1704164640L * S;

    static final String ALLOC = """
            {"ID":"%s","Name":"example.web[0]","Namespace":"default","JobID":"example","TaskGroup":"web",
             "DesiredStatus":"run","ClientStatus":"running","CreateTime":%d,"ModifyTime":%d,
             "AllocatedResources":{"Shared":{"Ports":[{"Label":"http","Value":23456,"To":8080,"HostIP":"127.0.0.1"}]}},
             "TaskStates":{
               "web":{"State":"running","Failed":false,"Restarts":1,"LastRestart":%d,"StartedAt":%d,"FinishedAt":0,
                 "Events":[
                   {"Type":"Received","Time":%d,"DisplayMessage":"Task received by client","Details":{}},
                   {"Type":"Task Setup","Time":%d,"DisplayMessage":"Building Task Directory","Details":{"message":"Building Task Directory"}},
                   {"Type":"Started","Time":%d,"DisplayMessage":"Task started by client","Details":{}},
                   {"Type":"Terminated","Time":%d,"DisplayMessage":"","ExitCode":1,"Details":{"exit_code":"1"}},
                   {"Type":"Restarting","Time":%d,"DisplayMessage":"Task restarting in 1s","RestartReason":"Restart within policy"},
                   {"Type":"Started","Time":%d,"DisplayMessage":"Task started by client"}]},
               "init":{"State":"dead","Failed":false,"StartedAt":%d,"FinishedAt":%d,
                 "Events":[{"Type":"Terminated","Time":%d,"DisplayMessage":"Exit Code: 0","ExitCode":0}]}}}
            """.formatted(ID, T, T + 3 * S, T + 3 * S, T + 4 * S, T, T + 1, T + S, T + 2 * S, T + 3 * S, T + 4 * S,
            T, T + S, T + S);

    @Test
    void rendersLikeNomadWithEventsNewestFirst() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ALLOC);

            Result r = agent.run("alloc", "status", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals("""
                    ID             = 5d3c37b5
                    Name           = example.web[0]
                    Job ID         = example
                    Task Group     = web
                    Client Status  = running
                    Desired Status = run
                    Created        = 5s ago
                    Modified       = 2s ago

                    Allocation Addresses:
                    Label  Address
                    *http  127.0.0.1:23456 -> 8080

                    Task "init" is "dead"
                    Task Events:
                    Started At     = 2024-01-02T03:04:00Z
                    Finished At    = 2024-01-02T03:04:01Z
                    Total Restarts = 0
                    Last Restart   = N/A

                    Recent Events:
                    Time                  Type        Description
                    2024-01-02T03:04:01Z  Terminated  Exit Code: 0

                    Task "web" is "running"
                    Task Events:
                    Started At     = 2024-01-02T03:04:04Z
                    Finished At    = N/A
                    Total Restarts = 1
                    Last Restart   = 2024-01-02T03:04:03Z

                    Recent Events:
                    Time                  Type        Description
                    2024-01-02T03:04:04Z  Started     Task started by client
                    2024-01-02T03:04:03Z  Restarting  Task restarting in 1s
                    2024-01-02T03:04:02Z  Terminated  Exit Code: 1
                    2024-01-02T03:04:01Z  Started     Task started by client
                    2024-01-02T03:04:00Z  Task Setup  Building Task Directory
                    2024-01-02T03:04:00Z  Received    Task received by client
                    """, r.out());
        }
    }

    @Test
    void verboseShowsFullIdAndAbsoluteTimes() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/" + ID, ALLOC);
            Result r = agent.run("alloc", "status", "-verbose", ID);
            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().startsWith("ID             = " + ID + "\n"), r.out());
            assertTrue(r.out().contains("Namespace      = default\n"), r.out());
            assertTrue(r.out().contains("Created        = 2024-01-02T03:04:00Z\n"), r.out());
        }
    }

    @Test
    void unknownAllocation() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("GET", "/v1/allocation/zzz", q -> Reply.text(404, "alloc not found"));
            Result r = agent.run("alloc", "status", "zzz");
            assertEquals(1, r.code());
            assertEquals("Error: no allocation with prefix or id \"zzz\" found\n", r.err());
        }
    }

    @Test
    void ambiguousPrefixShowsServerMessage() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("GET", "/v1/allocation/5", q -> Reply.text(400, "prefix \"5\" matches 2 allocations"));
            Result r = agent.run("alloc", "status", "5");
            assertEquals(1, r.code());
            assertEquals("Error querying allocation: prefix \"5\" matches 2 allocations\n", r.err());
        }
    }
}
