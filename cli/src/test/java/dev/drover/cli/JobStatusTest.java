package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Reply;
import dev.drover.cli.FakeAgent.Result;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class JobStatusTest {
    /** 2024-01-02T03:00:00Z in unix nanoseconds (FakeAgent.NOW is 4m5s later). */
    static final long T0 = 1704164400L * 1_000_000_000L;

    @Test
    void listsJobsAsTable() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/jobs", """
                    [{"ID":"example","Name":"example","Type":"service","Priority":50,"Status":"running","SubmitTime":%d},
                     {"ID":"batch-report","Name":"batch-report","Type":"batch","Priority":70,"Status":"dead","Stop":true,"SubmitTime":%d}]
                    """.formatted(T0, T0 + 61_000_000_000L));

            Result r = agent.run("job", "status");

            assertEquals(0, r.code(), r.err());
            assertEquals("""
                    ID            Type     Priority  Status          Submit Date
                    example       service  50        running         2024-01-02T03:00:00Z
                    batch-report  batch    70        dead (stopped)  2024-01-02T03:01:01Z
                    """, r.out());
            assertEquals(r.out(), agent.run("status").out(), "top-level status is job status");
        }
    }

    @Test
    void showsOneJobWithAllocations() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/job/example", """
                    {"ID":"example","Name":"example","Type":"service","Priority":50,"Status":"running",
                     "Stop":false,"Version":2,"SubmitTime":%d,"TaskGroups":[]}
                    """.formatted(T0));
            agent.onJson("GET", "/v1/job/example/allocations", """
                    [{"ID":"11111111-aaaa-bbbb-cccc-dddddddddddd","TaskGroup":"web","DesiredStatus":"run",
                      "ClientStatus":"running","CreateTime":%d,"ModifyTime":%d},
                     {"ID":"22222222-aaaa-bbbb-cccc-dddddddddddd","TaskGroup":"web","DesiredStatus":"stop",
                      "ClientStatus":"complete","CreateTime":%d,"ModifyTime":%d}]
                    """.formatted(T0 + 60_000_000_000L, T0 + 60_000_000_000L, T0, T0 + 5_000_000_000L));

            Result r = agent.run("job", "status", "example");

            assertEquals(0, r.code(), r.err());
            assertEquals("""
                    ID          = example
                    Name        = example
                    Submit Date = 2024-01-02T03:00:00Z
                    Type        = service
                    Priority    = 50
                    Status      = running
                    Version     = 2

                    Allocations
                    ID        Task Group  Desired  Status    Created   Modified
                    11111111  web         run      running   3m5s ago  3m5s ago
                    22222222  web         stop     complete  4m5s ago  4m0s ago
                    """, r.out());
        }
    }

    @Test
    void unknownJobIsNotFound() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("GET", "/v1/job/nope", q -> Reply.text(404, "job not found"));
            Result r = agent.run("job", "status", "nope");
            assertEquals(1, r.code());
            assertEquals("Error: job \"nope\" not found\n", r.err());
        }
    }

    @Test
    void stopDeregistersAndWaitsForTerminalAllocations() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("DELETE", "/v1/job/example", "{\"EvalID\":\"\"}");
            AtomicInteger polls = new AtomicInteger();
            agent.on("GET", "/v1/job/example/allocations", q -> Reply.json(
                    "[{\"ID\":\"11111111-aaaa\",\"ClientStatus\":\"" + (polls.incrementAndGet() < 3 ? "running" : "complete")
                            + "\"},{\"ID\":\"22222222-aaaa\",\"ClientStatus\":\"failed\"}]"));

            Result r = agent.run("job", "stop", "-purge", "example");

            assertEquals(0, r.code(), r.err());
            assertEquals("==> Job \"example\" stopped\n", r.out());
            assertEquals("true", agent.requests("DELETE", "/v1/job/example").getFirst().query().get("purge"));
            assertEquals(3, polls.get());
        }
    }

    @Test
    void stopDetachDoesNotWaitAndPurgeDefaultsFalse() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("DELETE", "/v1/job/example", "{\"EvalID\":\"\"}");
            Result r = agent.run("job", "stop", "-detach", "example");
            assertEquals(0, r.code(), r.err());
            assertEquals("false", agent.requests("DELETE", "/v1/job/example").getFirst().query().get("purge"));
            assertTrue(agent.requests("GET", "/v1/job/example/allocations").isEmpty());
        }
    }

    @Test
    void stopTimesOutNamingRunningAllocations() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("DELETE", "/v1/job/example", "{\"EvalID\":\"\"}");
            agent.onJson("GET", "/v1/job/example/allocations", "[{\"ID\":\"11111111-aaaa\",\"ClientStatus\":\"running\"}]");
            Result r = FakeAgent.runWithEnv(Map.of("DROVER_ADDR", agent.address()), Duration.ofMillis(100),
                    "job", "stop", "example");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("still running") && r.err().contains("11111111"), r.err());
        }
    }

    @Test
    void stopUnknownJob() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("DELETE", "/v1/job/nope", q -> Reply.text(404, "job not found"));
            Result r = agent.run("job", "stop", "nope");
            assertEquals(1, r.code());
            assertEquals("Error: job \"nope\" not found\n", r.err());
        }
    }
}
