package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Result;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

class AllocActionsTest {
    static final String ID = "5d3c37b5-7a3e-4c1f-9d2a-0123456789ab";
    static final String SIGNAL = "/v1/client/allocation/" + ID + "/signal";
    static final String RESTART = "/v1/client/allocation/" + ID + "/restart";

    private static FakeAgent agent() throws Exception {
        FakeAgent agent = new FakeAgent();
        // The prefix is resolved to the full ID, which the action then targets.
        agent.onJson("GET", "/v1/allocation/5d3c",
                "{\"ID\":\"" + ID + "\",\"TaskStates\":{\"web\":{},\"sidecar\":{}}}");
        agent.onJson("POST", SIGNAL, "{}");
        agent.onJson("POST", RESTART, "{}");
        return agent;
    }

    private static JsonNode json(String s) {
        return FakeAgent.JSON.readTree(s);
    }

    @Test
    void signalDefaultsToSigkillForAllTasks() throws Exception {
        try (FakeAgent agent = agent()) {
            Result r = agent.run("alloc", "signal", "5d3c");
            assertEquals(0, r.code(), r.err());
            assertEquals(json("{\"Task\":\"\",\"Signal\":\"SIGKILL\"}"), agent.requests("POST", SIGNAL).getFirst().json());
        }
    }

    @Test
    void signalWithNameAndTask() throws Exception {
        try (FakeAgent agent = agent()) {
            assertEquals(0, agent.run("alloc", "signal", "-s", "SIGHUP", "-task", "web", "5d3c").code());
            assertEquals(0, agent.run("alloc", "signal", "-s", "usr1", "5d3c", "sidecar").code());
            var bodies = agent.requests("POST", SIGNAL);
            assertEquals(json("{\"Task\":\"web\",\"Signal\":\"SIGHUP\"}"), bodies.get(0).json());
            assertEquals(json("{\"Task\":\"sidecar\",\"Signal\":\"SIGUSR1\"}"), bodies.get(1).json());
        }
    }

    @Test
    void unknownTaskIsRejectedBeforeSending() throws Exception {
        try (FakeAgent agent = agent()) {
            Result r = agent.run("alloc", "signal", "-task", "db", "5d3c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("has no task \"db\"") && r.err().contains("sidecar, web"), r.err());
            assertTrue(agent.requests("POST", SIGNAL).isEmpty());
        }
    }

    @Test
    void restartBodies() throws Exception {
        try (FakeAgent agent = agent()) {
            assertEquals(0, agent.run("alloc", "restart", "5d3c", "web").code());
            assertEquals(0, agent.run("alloc", "restart", "-all-tasks", "5d3c").code());
            assertEquals(0, agent.run("alloc", "restart", "5d3c").code());
            var bodies = agent.requests("POST", RESTART);
            assertEquals(json("{\"TaskName\":\"web\",\"AllTasks\":false}"), bodies.get(0).json());
            assertEquals(json("{\"TaskName\":\"\",\"AllTasks\":true}"), bodies.get(1).json());
            assertEquals(json("{\"TaskName\":\"\",\"AllTasks\":false}"), bodies.get(2).json());
        }
    }

    @Test
    void restartAllTasksWithTaskIsAUsageError() throws Exception {
        try (FakeAgent agent = agent()) {
            Result r = agent.run("alloc", "restart", "-all-tasks", "-task", "web", "5d3c");
            assertEquals(1, r.code());
            assertTrue(r.err().contains("-all-tasks"), r.err());
            assertTrue(agent.requests.isEmpty());
        }
    }

    @Test
    void serverRefusalIsShown() throws Exception {
        try (FakeAgent agent = agent()) {
            agent.on("POST", SIGNAL, q -> FakeAgent.Reply.text(400, "Task not running"));
            Result r = agent.run("alloc", "signal", "-s", "SIGHUP", "5d3c");
            assertEquals(1, r.code());
            assertEquals("Error signalling allocation: Task not running\n", r.err());
        }
    }
}
