package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Reply;
import dev.drover.cli.FakeAgent.Result;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliTest {
    private static final String EMPTY_LIST = "[]";

    @Test
    void helpListsCommandsIncludingAgent() {
        Result r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("agent    Run a Drover agent"), r.out());
        for (String c : new String[] {"alloc", "job", "status", "version"}) {
            assertTrue(r.out().contains("\n  " + c + " "), c + " missing in:\n" + r.out());
        }
    }

    @Test
    void versionCommandAndFlag() {
        assertEquals("Drover v0.1.0\n", FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "version").out());
        assertEquals("Drover v0.1.0\n", FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "-version").out());
    }

    @Test
    void publicRunUsesGivenStreams() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int code = Cli.run(new String[] {"version"}, new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
        assertEquals(0, code);
        assertEquals("Drover v0.1.0\n", out.toString(StandardCharsets.UTF_8));
    }

    @Test
    void agentPlaceholderPointsAtLauncher() {
        Result r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "agent", "-config", "x.hcl");
        assertEquals(1, r.code());
        assertEquals("run `drover agent` through bin/drover\n", r.err());
    }

    @Test
    void addressPrecedenceFlagThenEnvThenDefault() {
        assertEquals("http://flag:1", Cli.resolveAddress("http://flag:1", k -> "http://env:2"));
        assertEquals("http://env:2", Cli.resolveAddress(null, k -> k.equals("DROVER_ADDR") ? "http://env:2/" : null));
        assertEquals("http://127.0.0.1:4646", Cli.resolveAddress(null, k -> null));
        assertEquals("http://127.0.0.1:4646", Cli.resolveAddress(null, k -> "  "));
        assertEquals("http://localhost:4646", Cli.resolveAddress("localhost:4646", k -> null));
    }

    @Test
    void envAddressIsUsed() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/jobs", EMPTY_LIST);
            Result r = FakeAgent.runWithEnv(Map.of("DROVER_ADDR", agent.address()), Duration.ofSeconds(1), "job", "status");
            assertEquals(0, r.code(), r.err());
            assertEquals("No running jobs\n", r.out());
        }
    }

    @Test
    void addressFlagBeatsEnvInAnyPositionAndSpelling() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/jobs", EMPTY_LIST);
            Map<String, String> env = Map.of("DROVER_ADDR", "http://127.0.0.1:" + deadPort());
            String[][] spellings = {
                {"job", "status", "-address", agent.address()},
                {"job", "status", "-address=" + agent.address()},
                {"-address", agent.address(), "job", "status"},
                {"job", "status", "--address=" + agent.address()},
            };
            for (String[] args : spellings) {
                Result r = FakeAgent.runWithEnv(env, Duration.ofSeconds(1), args);
                assertEquals(0, r.code(), String.join(" ", args) + ": " + r.err());
            }
            assertEquals(spellings.length, agent.requests("GET", "/v1/jobs").size());
        }
    }

    @Test
    void connectionRefusedExplainsWhatToDo() throws Exception {
        String addr = "http://127.0.0.1:" + deadPort();
        Result r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "job", "status", "-address", addr);
        assertEquals(1, r.code());
        assertEquals("Error querying agent at " + addr
                + ": connection refused (is \"drover agent\" running? set -address or DROVER_ADDR)\n", r.err());
    }

    @Test
    void serverErrorBodyIsShown() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.on("GET", "/v1/jobs", q -> Reply.text(500, "state store unavailable\n"));
            Result r = agent.run("job", "status");
            assertEquals(1, r.code());
            assertEquals("Error querying jobs: state store unavailable\n", r.err());
        }
    }

    @Test
    void usageErrorsNameTheFlagAndExit1() {
        Result r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "job", "status", "-bogus");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Unknown option: '-bogus'"), r.err());
        assertTrue(r.err().contains("drover job status -help"), r.err());

        r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "alloc", "logs", "-n", "ten", "abc");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("'-n'"), r.err());

        r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "job");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("Usage: drover job"), r.err());
    }

    @Test
    void goStyleDoubleDashFlagsAreFolded() {
        assertArrayEquals(new String[] {"job", "-detach", "-address=x", "--", "--keep"},
                Cli.goStyle(new String[] {"job", "--detach", "--address=x", "--", "--keep"}));
    }

    @Test
    void helpCommandShowsSubcommandUsage() {
        Result r = FakeAgent.runWithEnv(Map.of(), Duration.ofSeconds(1), "help", "job", "run");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("Usage: drover job run"), r.out());
    }

    static int deadPort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
