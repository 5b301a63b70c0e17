package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Reply;
import dev.drover.cli.FakeAgent.Request;
import dev.drover.cli.FakeAgent.Result;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class AllocLogsTest {
    static final String ID = "5d3c37b5-7a3e-4c1f-9d2a-0123456789ab";
    static final String LOGS = "/v1/client/fs/logs/" + ID;
    static final String ONE_TASK = "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{\"State\":\"running\"}}}";
    /** web once it ended: followers stop and say how. */
    static final String ONE_TASK_DEAD = "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{\"State\":\"dead\",\"Failed\":true,"
            + "\"Events\":[{\"Type\":\"Terminated\",\"ExitCode\":3}]}}}";

    /**
     * The agent's framed stream (Nomad's StreamFrames) for {@code chunks} read from {@code file}
     * starting at {@code offset}: one frame per chunk, Offset where its data ends, a heartbeat between.
     */
    static String[] frames(String file, long offset, String... chunks) {
        var out = new java.util.ArrayList<String>();
        for (String c : chunks) {
            byte[] b = c.getBytes(StandardCharsets.UTF_8);
            offset += b.length;
            out.add("{\"Offset\":" + offset + ",\"Data\":\"" + java.util.Base64.getEncoder().encodeToString(b)
                    + "\",\"File\":\"alloc/logs/" + file + "\"}");
            out.add("{}");
        }
        return out.toArray(String[]::new);
    }

    /** An agent serving {@code log} as web's stdout, honouring origin/offset like the real one. */
    private static FakeAgent agent(String log) throws Exception {
        FakeAgent agent = new FakeAgent();
        agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
        agent.on("GET", LOGS, q -> Reply.stream(window(log, q.query())));
        return agent;
    }

    private static String window(String log, Map<String, String> q) {
        byte[] b = log.getBytes(StandardCharsets.UTF_8);
        int offset = Integer.parseInt(q.get("offset"));
        int from = q.get("origin").equals("end") ? Math.max(0, b.length - offset) : Math.min(offset, b.length);
        return new String(b, from, b.length - from, StandardCharsets.UTF_8);
    }

    private static String lines(int from, int to, int width) {
        return IntStream.rangeClosed(from, to)
                .mapToObj(i -> String.format("line %03d ", i) + "x".repeat(width) + "\n")
                .collect(Collectors.joining());
    }

    @Test
    void followOfATaskNotStartedYetShowsItsEventsUntilItStarts() throws Exception {
        String pending = "{\"ID\":\"" + ID + "\",\"ClientStatus\":\"pending\",\"TaskStates\":{\"web\":{\"State\":\"pending\",\"Events\":["
                + "{\"Type\":\"Driver\",\"Time\":2,\"DisplayMessage\":\"Downloading image r/x:1\"}]}}}";
        // Then it ran and ended: the follower streams its log and says how it ended.
        String dead = "{\"ID\":\"" + ID + "\",\"ClientStatus\":\"complete\",\"TaskStates\":{\"web\":{\"State\":\"dead\",\"StartedAt\":5,\"Events\":["
                + "{\"Type\":\"Driver\",\"Time\":2,\"DisplayMessage\":\"Downloading image r/x:1\"},"
                + "{\"Type\":\"Started\",\"Time\":5,\"DisplayMessage\":\"Task started by client\"},"
                + "{\"Type\":\"Terminated\",\"Time\":6,\"ExitCode\":0,\"DisplayMessage\":\"Exit Code: 0\"}]}}}";
        var polls = new java.util.concurrent.atomic.AtomicInteger();
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("GET", "/v1/allocation/5d3c", q -> Reply.json(pending));
            agent.on("GET", "/v1/allocation/" + ID, q -> Reply.json(polls.incrementAndGet() < 3 ? pending : dead));
            agent.on("GET", LOGS, q -> Reply.stream(frames("web.stdout.0", 0, "up\n")));

            var r = agent.run("alloc", "logs", "-f", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals("up\n", r.out());
            assertEquals("""
                    ==> Waiting for task "web" to start
                        Driver: Downloading image r/x:1
                        Started: Task started by client
                        Terminated: Exit Code: 0
                    ==> Task "web" is dead (finished): exit code 0
                    """, r.err());
            assertTrue(agent.requests("GET", LOGS).size() == 1, "logs are opened once the task started");
        }
    }

    @Test
    void withoutFollowATaskNotStartedYetIsSaidSo() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{\"State\":\"pending\",\"Events\":["
                    + "{\"Type\":\"Driver\",\"Time\":2,\"DisplayMessage\":\"Pulled 1.0 MB of 8.0 MB\"}]}}}");
            var r = agent.run("alloc", "logs", "5d3c");
            assertEquals(0, r.code(), r.err());
            assertEquals("", r.out());
            assertEquals("Task \"web\" has not started yet (Driver: Pulled 1.0 MB of 8.0 MB); use -f to wait for its output\n", r.err());
            assertTrue(agent.requests("GET", LOGS).isEmpty());
        }
    }

    @Test
    void streamsBytesAsTheyArrive() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            agent.on("GET", LOGS, q -> Reply.stream("hello ", "world\n", "bye\n"));

            Result r = agent.run("alloc", "logs", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals("hello world\nbye\n", r.out());
            Map<String, String> q = agent.requests("GET", LOGS).getFirst().query();
            assertEquals(Map.of("task", "web", "type", "stdout", "plain", "true", "follow", "false",
                    "origin", "start", "offset", "0"), q);
        }
    }

    @Test
    void followCopiesEachChunkBeforeTheStreamEnds() throws Exception {
        CountDownLatch firstSeen = new CountDownLatch(1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            agent.onJson("GET", "/v1/allocation/" + ID, ONE_TASK_DEAD);
            // The second chunk is only sent once the CLI has printed the first one.
            agent.on("GET", LOGS, q -> Reply.stream(frames("web.stdout.0", 0, "first\n", "second\n")).beforeChunk(i -> {
                if (i == 2) {
                    await(firstSeen);
                }
            }));
            var run = CompletableFuture.supplyAsync(() -> FakeAgent.runWithEnv(
                    Map.of("DROVER_ADDR", agent.address()), Duration.ofSeconds(5), out, "alloc", "logs", "-f", "5d3c"));
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!out.toString(StandardCharsets.UTF_8).equals("first\n") && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertEquals("first\n", out.toString(StandardCharsets.UTF_8), "first chunk must be printed while streaming");
            firstSeen.countDown();
            Result r = run.get(10, TimeUnit.SECONDS);
            assertEquals(0, r.code(), r.err());
            assertEquals("first\nsecond\n", r.out());
            assertEquals("==> Task \"web\" is dead (failed): exit code 3\n", r.err());
            assertEquals("false", agent.requests("GET", LOGS).getFirst().query().get("plain"));
        }
    }

    /**
     * An agent restart while following: the stream ends (or breaks) while the task still runs; the
     * CLI asks again from the file and offset where the last frame ended, so nothing repeats or goes
     * missing, including across a rotation.
     */
    @Test
    void followResumesWhereTheLastFrameEndedWhenTheStreamEndsWhileTheTaskRuns() throws Exception {
        var allocCalls = new java.util.concurrent.atomic.AtomicInteger();
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            // the checks after the first two stream ends: still running; after the third: dead
            agent.on("GET", "/v1/allocation/" + ID, q -> Reply.json(allocCalls.incrementAndGet() <= 2 ? ONE_TASK : ONE_TASK_DEAD));
            var logCalls = new java.util.concurrent.atomic.AtomicInteger();
            agent.on("GET", LOGS, q -> switch (logCalls.incrementAndGet()) {
                case 1 -> Reply.stream(frames("web.stdout.4", 100, "a1\n", "a2\n"));
                case 2 -> Reply.stream(frames("web.stdout.4", 106, "a3\n")[0], frames("web.stdout.5", 0, "b1\n")[0], "{}");
                default -> Reply.stream("{}", "{}");
            });

            Result r = agent.run("alloc", "logs", "-f", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals("a1\na2\na3\nb1\n", r.out());
            List<Request> reqs = agent.requests("GET", LOGS);
            assertEquals(3, reqs.size(), reqs.toString());
            assertEquals(Map.of("origin", "start", "offset", "0"), Map.of("origin", reqs.get(0).query().get("origin"), "offset", reqs.get(0).query().get("offset")));
            assertEquals(null, reqs.get(0).query().get("file"));
            assertEquals("alloc/logs/web.stdout.4", reqs.get(1).query().get("file"));
            assertEquals("106", reqs.get(1).query().get("offset"));
            assertEquals("alloc/logs/web.stdout.5", reqs.get(2).query().get("file"));
            assertEquals("3", reqs.get(2).query().get("offset"));
            assertTrue(r.err().endsWith("is dead (failed): exit code 3\n"), r.err());
        }
    }

    @Test
    void aStreamThatIsNotFramesIsAnError() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            agent.on("GET", LOGS, q -> Reply.stream("plain text\n", "more\n"));
            Result r = agent.run("alloc", "logs", "-f", "5d3c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("Error reading logs: invalid log stream from agent"), r.err());
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void stderrFollowAndExplicitTask() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c",
                    "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{},\"sidecar\":{}}}");
            agent.onJson("GET", "/v1/allocation/" + ID,
                    "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{},\"sidecar\":{\"State\":\"dead\",\"Events\":[{\"Type\":\"Terminated\",\"ExitCode\":0}]}}}");
            agent.on("GET", LOGS, q -> Reply.stream(frames("sidecar.stderr.0", 0, "err\n")));

            Result r = agent.run("alloc", "logs", "-stderr", "-f", "5d3c", "sidecar");

            assertEquals(0, r.code(), r.err());
            assertEquals("err\n", r.out());
            assertEquals("==> Task \"sidecar\" is dead (finished): exit code 0\n", r.err());
            Map<String, String> q = agent.requests("GET", LOGS).getFirst().query();
            assertEquals("sidecar", q.get("task"));
            assertEquals("stderr", q.get("type"));
            assertEquals("true", q.get("follow"));
        }
    }

    @Test
    void severalTasksNeedAChoice() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c",
                    "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{},\"sidecar\":{}}}");
            Result r = agent.run("alloc", "logs", "5d3c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("  * sidecar\n  * web\n"), r.err());
            assertTrue(agent.requests("GET", LOGS).isEmpty());
        }
    }

    @Test
    void tailLinesWidensTheWindowUntilItHoldsNLines() throws Exception {
        // 500-byte lines: the first 5*200-byte guess holds under two lines.
        String log = lines(1, 100, 490);
        try (FakeAgent agent = agent(log)) {
            Result r = agent.run("alloc", "logs", "-n", "5", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals(lines(96, 100, 490), r.out());
            List<String> offsets = agent.requests("GET", LOGS).stream().map(q -> q.query().get("offset")).toList();
            assertEquals(List.of("1000", "2000", "4000"), offsets);
            assertTrue(agent.requests("GET", LOGS).stream().allMatch(q -> q.query().get("origin").equals("end")
                    && q.query().get("follow").equals("false")));
        }
    }

    @Test
    void tailDefaultsToTenLinesAndShortLogsPrintWhole() throws Exception {
        try (FakeAgent agent = agent(lines(1, 30, 5))) {
            Result r = agent.run("alloc", "logs", "-tail", "5d3c");
            assertEquals(lines(21, 30, 5), r.out());
            assertEquals(1, agent.requests("GET", LOGS).size());
        }
        try (FakeAgent agent = agent("only\ntwo")) {
            Result r = agent.run("alloc", "logs", "-n", "5", "5d3c");
            assertEquals("only\ntwo", r.out());
        }
    }

    @Test
    void tailThenFollowSkipsWhatWasPrinted() throws Exception {
        String log = lines(1, 20, 5);
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            agent.onJson("GET", "/v1/allocation/" + ID, ONE_TASK_DEAD);
            agent.on("GET", LOGS, q -> q.query().get("follow").equals("true")
                    ? Reply.stream(frames("web.stdout.0", 0, window(log, q.query()), "new 1\n", "new 2\n"))
                    : Reply.stream(window(log, q.query())));

            Result r = agent.run("alloc", "logs", "-f", "-n", "3", "5d3c");

            assertEquals(0, r.code(), r.err());
            assertEquals(lines(18, 20, 5) + "new 1\nnew 2\n", r.out());
            List<Request> reqs = agent.requests("GET", LOGS);
            assertEquals(2, reqs.size());
            assertEquals("true", reqs.get(1).query().get("follow"));
            assertEquals("end", reqs.get(1).query().get("origin"));
        }
    }

    @Test
    void bytesFromTheEnd() throws Exception {
        try (FakeAgent agent = agent("0123456789")) {
            Result r = agent.run("alloc", "logs", "-c", "4", "5d3c");
            assertEquals("6789", r.out());
            Map<String, String> q = agent.requests("GET", LOGS).getFirst().query();
            assertEquals("end", q.get("origin"));
            assertEquals("4", q.get("offset"));
        }
    }

    @Test
    void linesAndBytesAreExclusive() throws Exception {
        try (FakeAgent agent = agent("x")) {
            Result r = agent.run("alloc", "logs", "-n", "3", "-c", "10", "5d3c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("-n and -c are mutually exclusive"), r.err());
            assertTrue(agent.requests.isEmpty());
        }
    }

    @Test
    void lastLinesStart() {
        byte[] d = "a\nb\nc\n".getBytes(StandardCharsets.UTF_8);
        assertEquals(2, AllocLogs.lastLinesStart(d, 2));
        assertEquals(4, AllocLogs.lastLinesStart(d, 1));
        assertEquals(-1, AllocLogs.lastLinesStart(d, 3), "a window that begins at 'a' may start mid-line");
        assertEquals(6, AllocLogs.lastLinesStart(d, 0));
        assertEquals(4, AllocLogs.lastLinesStart("a\nb\nc".getBytes(StandardCharsets.UTF_8), 1));
        assertEquals(-1, AllocLogs.lastLinesStart(new byte[0], 1));
    }

    @Test
    void agentErrorWhileStreaming() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/5d3c", ONE_TASK);
            agent.on("GET", LOGS, q -> Reply.text(404, "task \"web\" has no logs yet"));
            Result r = agent.run("alloc", "logs", "5d3c");
            assertEquals(1, r.code());
            assertEquals("Error reading logs: task \"web\" has no logs yet\n", r.err());
        }
    }
}
