package dev.drover.agent.e2e;

import tools.jackson.databind.JsonNode;

/**
 * The fixture's awaits with room for several task starts one after another (a lifecycle chain, a
 * run of jobs): a per-task plugin JVM can take seconds to start on a busy machine. On timeout the
 * whole allocation is shown.
 */
final class LongAwait {
    static final long TIMEOUT_MILLIS = 120_000;

    private LongAwait() {}

    static JsonNode state(AgentFixture agent, String alloc, String task, String state) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            var s = agent.taskState(alloc, task);
            if (s.path("State").asString("").equals(state)) return s;
            Thread.sleep(50);
        }
        throw new AssertionError("task " + task + " never became " + state + ": " + agent.alloc(alloc).toPrettyString());
    }

    static JsonNode clientStatus(AgentFixture agent, String alloc, String status) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            var a = agent.alloc(alloc);
            if (a.path("ClientStatus").asString("").equals(status)) return a;
            Thread.sleep(50);
        }
        throw new AssertionError("allocation " + alloc + " never became " + status + ": " + agent.alloc(alloc).toPrettyString());
    }
}
