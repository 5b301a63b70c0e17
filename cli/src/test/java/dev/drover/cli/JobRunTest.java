package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Reply;
import dev.drover.cli.FakeAgent.Request;
import dev.drover.cli.FakeAgent.Result;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobRunTest {
    static final String A1 = "aaaaaaaa-1111-2222-3333-444444444444";
    static final String A2 = "bbbbbbbb-1111-2222-3333-444444444444";
    static final String JOB = "{\"ID\":\"example\",\"Name\":\"example\",\"TaskGroups\":[{\"Name\":\"web\"}]}";
    static final String HCL = "job \"example\" {\n  group \"web\" {}\n}\n";

    @TempDir
    Path dir;

    private static String alloc(String id, String status) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"example.web[0]\",\"TaskGroup\":\"web\",\"ClientStatus\":\"" + status + "\"}";
    }

    /** Registers A1/A2; each alloc answers "pending" once, then {@code finalStatus}. */
    private static void registerRoutes(FakeAgent agent, String finalStatus) {
        agent.onJson("PUT", "/v1/jobs",
                "{\"EvalID\":\"\",\"JobModifyIndex\":7,\"Warnings\":\"\",\"AllocIDs\":[\"" + A1 + "\",\"" + A2 + "\"]}");
        agent.onJson("GET", "/v1/job/example", "{\"ID\":\"example\",\"Version\":3,\"Status\":\"running\"}");
        for (String id : List.of(A1, A2)) {
            AtomicInteger calls = new AtomicInteger();
            agent.on("GET", "/v1/allocation/" + id,
                    q -> Reply.json(alloc(id, calls.getAndIncrement() == 0 ? "pending" : finalStatus)));
        }
    }

    @Test
    void hclIsParsedByAgentThenRegisteredAndMonitored() throws Exception {
        Path file = Files.writeString(dir.resolve("example.nomad.hcl"), HCL);
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("POST", "/v1/jobs/parse", q -> Reply.json(JOB)
                    .withHeader("X-Drover-Warnings", "[\"unknown key \\\"foo\\\"\",\"second\"]"));
            registerRoutes(agent, "running");

            Result r = agent.run("job", "run", file.toString());

            assertEquals(0, r.code(), r.err());
            List<Request> parse = agent.requests("POST", "/v1/jobs/parse");
            assertEquals(1, parse.size());
            assertEquals(HCL, parse.getFirst().json().path("JobHCL").asString());
            assertTrue(parse.getFirst().json().path("Canonicalize").asBoolean());
            assertEquals(file.toString(), parse.getFirst().json().path("Filename").asString());
            List<Request> put = agent.requests("PUT", "/v1/jobs");
            assertEquals(1, put.size());
            assertEquals(FakeAgent.JSON.readTree(JOB), put.getFirst().json().path("Job"));
            assertTrue(agent.requests.indexOf(parse.getFirst()) < agent.requests.indexOf(put.getFirst()));

            assertEquals("""
                    ==> Job "example" registered (version 3)
                        Allocation "aaaaaaaa" created: group "web", name "example.web[0]"
                        Allocation "bbbbbbbb" created: group "web", name "example.web[0]"
                        Allocation "aaaaaaaa" status "running"
                        Allocation "bbbbbbbb" status "running"
                    ==> Finished: allocations aaaaaaaa,bbbbbbbb
                    """, r.out());
            assertEquals("Warning: unknown key \"foo\"\nWarning: second\n", r.err());
        }
    }

    @Test
    void parseErrorShowsFileLineColumnAndExits1() throws Exception {
        Path file = Files.writeString(dir.resolve("bad.hcl"), "job \"x\" {\n  bogus = 1\n}\n");
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("POST", "/v1/jobs/parse", q -> Reply.text(400,
                    file + ":2:3: Unsupported argument; An argument named \"bogus\" is not expected here.\n"));

            Result r = agent.run("job", "run", file.toString());

            assertEquals(1, r.code());
            assertEquals("Error parsing job file " + file + ":\n" + file
                    + ":2:3: Unsupported argument; An argument named \"bogus\" is not expected here.\n", r.err());
            assertTrue(agent.requests("PUT", "/v1/jobs").isEmpty());
        }
    }

    @Test
    void bareJsonJobIsWrappedAndEnvelopeKept() throws Exception {
        Path bare = Files.writeString(dir.resolve("bare.json"), JOB);
        Path wrapped = Files.writeString(dir.resolve("wrapped.json"), "{\"Job\":" + JOB + "}");
        try (FakeAgent agent = new FakeAgent()) {
            registerRoutes(agent, "running");
            assertEquals(0, agent.run("job", "run", "-detach", bare.toString()).code());
            assertEquals(0, agent.run("job", "run", "-detach", wrapped.toString()).code());

            assertTrue(agent.requests("POST", "/v1/jobs/parse").isEmpty(), "JSON must not be sent to the HCL parser");
            for (Request put : agent.requests("PUT", "/v1/jobs")) {
                assertEquals(FakeAgent.JSON.readTree(JOB), put.json().path("Job"));
            }
        }
    }

    @Test
    void detachSkipsMonitoring() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), JOB);
        try (FakeAgent agent = new FakeAgent()) {
            registerRoutes(agent, "running");
            Result r = agent.run("job", "run", "-detach", file.toString());
            assertEquals(0, r.code(), r.err());
            assertTrue(agent.requests("GET", "/v1/allocation/" + A1).isEmpty());
            assertTrue(r.out().contains("Allocation \"aaaaaaaa\" created"), r.out());
            assertFalse(r.out().contains("Finished"), r.out());
        }
    }

    @Test
    void whileWaitingTheTasksEventsAreShownOnceEachAsTheyHappen() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), JOB);
        String received = "{\"Type\":\"Received\",\"Time\":1,\"DisplayMessage\":\"Task received by client\"}";
        String downloading = "{\"Type\":\"Driver\",\"Time\":2,\"DisplayMessage\":\"Downloading image r/x:1\"}";
        String pulled = "{\"Type\":\"Driver\",\"Time\":3,\"DisplayMessage\":\"Pulled 4.2 MB of 8.4 MB\"}";
        String started = "{\"Type\":\"Started\",\"Time\":4,\"DisplayMessage\":\"Task started by client\"}";
        List<String> answers = List.of(
                state("pending", "pending", received),
                state("pending", "pending", received + "," + downloading),
                state("pending", "pending", received + "," + downloading + "," + pulled),
                state("running", "running", received + "," + downloading + "," + pulled + "," + started));
        var polls = new java.util.concurrent.atomic.AtomicInteger();
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("PUT", "/v1/jobs", "{\"JobModifyIndex\":1,\"AllocIDs\":[\"" + A1 + "\"]}");
            agent.on("GET", "/v1/allocation/" + A1, r -> FakeAgent.Reply.json(answers.get(Math.min(polls.getAndIncrement(), answers.size() - 1))));

            Result r = agent.run("job", "run", file.toString());

            assertEquals(0, r.code(), r.out() + r.err());
            assertTrue(r.out().contains("""
                        Allocation "aaaaaaaa" created: group "web", name ""
                        Allocation "aaaaaaaa" task "server": Received: Task received by client
                        Allocation "aaaaaaaa" task "server": Driver: Downloading image r/x:1
                        Allocation "aaaaaaaa" task "server": Driver: Pulled 4.2 MB of 8.4 MB
                        Allocation "aaaaaaaa" task "server": Started: Task started by client
                        Allocation "aaaaaaaa" status "running"
                    """), r.out());
        }
    }

    private static String state(String allocStatus, String taskState, String events) {
        return "{\"ID\":\"" + A1 + "\",\"TaskGroup\":\"web\",\"ClientStatus\":\"" + allocStatus
                + "\",\"TaskStates\":{\"server\":{\"State\":\"" + taskState + "\",\"Events\":[" + events + "]}}}";
    }

    @Test
    void failedAllocationExits2WithDiagnosis() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), JOB);
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("PUT", "/v1/jobs", "{\"JobModifyIndex\":1,\"AllocIDs\":[\"" + A1 + "\"]}");
            agent.onJson("GET", "/v1/allocation/" + A1, """
                    {"ID":"%s","TaskGroup":"web","ClientStatus":"failed","TaskStates":{"server":{
                      "State":"dead","Failed":true,"Events":[
                        {"Type":"Received","Time":1704164645000000000,"DisplayMessage":"Task received by client"},
                        {"Type":"Driver Failure","Time":1704164646000000000,
                         "DisplayMessage":"failed to launch command with executor: exec: \\"nope\\": not found"},
                        {"Type":"Not Restarting","Time":1704164647000000000,"DisplayMessage":"Error was unrecoverable"}]}}}
                    """.formatted(A1));

            Result r = agent.run("job", "run", file.toString());

            assertEquals(2, r.code(), r.out() + r.err());
            String out = r.out();
            assertTrue(out.contains("Allocation \"aaaaaaaa\" status \"failed\""), out);
            assertTrue(out.contains("==> Allocation \"aaaaaaaa\" failed"), out);
            assertTrue(out.contains("Task \"server\" is \"dead\" (failed)"), out);
            // The events went by as they happened (oldest first); the diagnosis lists them newest first.
            assertTrue(out.indexOf("task \"server\": Driver Failure") < out.indexOf("task \"server\": Not Restarting"), out);
            String diagnosis = out.substring(out.indexOf("==> Allocation \"aaaaaaaa\" failed"));
            int notRestarting = diagnosis.indexOf("Not Restarting");
            int driverFailure = diagnosis.indexOf("Driver Failure");
            assertTrue(notRestarting > 0 && driverFailure > notRestarting, "newest event first:\n" + out);
            assertTrue(out.contains("exec: \"nope\": not found"), out);
        }
    }

    @Test
    void pendingTooLongTimesOutNamingTheAllocation() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), JOB);
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("PUT", "/v1/jobs", "{\"JobModifyIndex\":1,\"AllocIDs\":[\"" + A1 + "\"]}");
            agent.onJson("GET", "/v1/allocation/" + A1, alloc(A1, "pending"));

            Result r = FakeAgent.runWithEnv(Map.of("DROVER_ADDR", agent.address()), Duration.ofMillis(200),
                    "job", "run", file.toString());

            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("Error waiting for allocations: still pending after"), r.err());
            assertTrue(r.err().contains("aaaaaaaa"), r.err());
        }
    }

    @Test
    void registerErrorIsReported() throws Exception {
        Path file = Files.writeString(dir.resolve("job.json"), JOB);
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("PUT", "/v1/jobs", q -> Reply.text(400, "Task group web: no tasks"));
            Result r = agent.run("job", "run", file.toString());
            assertEquals(1, r.code());
            assertEquals("Error submitting job: Task group web: no tasks\n", r.err());
        }
    }

    @Test
    void missingFileIsAnError() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            Result r = agent.run("job", "run", dir.resolve("nope.hcl").toString());
            assertEquals(1, r.code());
            assertTrue(r.err().startsWith("Error reading job file "), r.err());
            assertTrue(agent.requests.isEmpty());
        }
    }
}
