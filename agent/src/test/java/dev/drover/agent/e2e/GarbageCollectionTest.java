package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.agent.config.GcConfig;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Terminal allocations are removed by count (gc_max_allocs), by age (gc_alloc_ttl) and on demand
 * (/v1/client/gc): API 404, alloc dir gone, no cgroup leaf or process of theirs left, and they do not
 * come back after an agent restart. Running allocations are never removed.
 */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class GarbageCollectionTest {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    private static String batch(String name) {
        return """
                job "%s" {
                  type = "batch"
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo done > $NOMAD_TASK_DIR/out; echo ok"]
                      }
                    }
                  }
                }
                """.formatted(name);
    }

    private static final String SERVICE = """
            job "svc" {
              group "g" {
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "echo up; exec sleep 1000"]
                  }
                }
              }
            }
            """;

    private String runToCompletion(AgentFixture agent, String hcl) throws Exception {
        String alloc = agent.run(hcl).getFirst();
        LongAwait.clientStatus(agent, alloc, "complete");
        return alloc;
    }

    private Path allocDir(String alloc) {
        return dir.resolve("alloc").resolve(alloc);
    }

    /** Gone from the API, the disk, the cgroup hierarchies and /proc. */
    private void assertCollected(AgentFixture agent, String alloc) throws Exception {
        assertEquals(404, agent.call("GET", "/v1/allocation/" + alloc, null).status(), "GET of a collected alloc");
        // The API forgets it first; its dir goes right after.
        for (long end = System.currentTimeMillis() + 10_000; Files.exists(allocDir(alloc)) && System.currentTimeMillis() < end; ) {
            Thread.sleep(20);
        }
        assertTrue(Files.notExists(allocDir(alloc)), "alloc dir removed: " + allocDir(alloc));
        assertEquals(List.of(), cgroupLeaves(alloc), "cgroup leaves left");
        assertEquals(List.of(), ProcScan.withCmdline(alloc), "processes left");
    }

    private static List<Path> cgroupLeaves(String alloc) throws IOException {
        var out = new ArrayList<Path>();
        try (var hierarchies = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (Path h : hierarchies.toList()) {
                for (Path parent : List.of(h.resolve("drover"), h)) {
                    if (!Files.isDirectory(parent)) continue;
                    try (var leaves = Files.list(parent)) {
                        leaves.filter(p -> p.getFileName().toString().startsWith(alloc)).forEach(out::add);
                    }
                }
            }
        }
        return out;
    }

    private static void awaitAllocCount(AgentFixture agent, int count) throws Exception {
        long deadline = System.currentTimeMillis() + LongAwait.TIMEOUT_MILLIS;
        while (agent.get("/v1/allocations").size() != count) {
            if (System.currentTimeMillis() > deadline) fail("expected " + count + " allocations, have " + agent.get("/v1/allocations"));
            Thread.sleep(50);
        }
    }

    @Test
    void oldestTerminalAllocsGoWhenMoreThanMaxAllocsAreHeld() throws Exception {
        var gc = new GcConfig(Duration.ofMillis(200), 2, Duration.ZERO);
        try (var agent = new AgentFixture(dir, placement, c -> c.withGc(gc))) {
            String svc = agent.run(SERVICE).getFirst();
            LongAwait.state(agent, svc, "t", "running");
            var batches = new ArrayList<String>();
            for (int i = 1; i <= 3; i++) batches.add(runToCompletion(agent, batch("b" + i)));
            awaitAllocCount(agent, 2);
            // The running service allocation is the oldest but is never collected.
            assertEquals("running", agent.alloc(svc).path("ClientStatus").asString());
            assertCollected(agent, batches.get(0));
            assertCollected(agent, batches.get(1));
            String newest = batches.get(2);
            assertEquals("complete", agent.alloc(newest).path("ClientStatus").asString());
            assertEquals("done\n", Files.readString(allocDir(newest).resolve("t/local/out")));
            assertEquals("ok\n", agent.logs(newest, "t", "stdout", ""));
        }
    }

    @Test
    void terminalAllocsOlderThanTheTtlGo() throws Exception {
        var gc = new GcConfig(Duration.ofMillis(200), 50, Duration.ofSeconds(1));
        String batch, svc;
        try (var agent = new AgentFixture(dir, placement, c -> c.withGc(gc))) {
            svc = agent.run(SERVICE).getFirst();
            LongAwait.state(agent, svc, "t", "running");
            batch = runToCompletion(agent, batch("once"));
            long completedAt = System.nanoTime();
            awaitAllocCount(agent, 1);
            assertTrue(System.nanoTime() - completedAt >= 500_000_000L, "kept for about the TTL first");
            assertCollected(agent, batch);
            // A stopped service allocation is terminal too.
            assertEquals(200, agent.call("DELETE", "/v1/job/svc", null).status());
            awaitAllocCount(agent, 0);
            assertCollected(agent, svc);
        }
        try (var again = new AgentFixture(dir, placement)) {
            assertEquals(404, again.call("GET", "/v1/allocation/" + batch, null).status(), "state deleted, not restored");
            assertEquals(0, again.get("/v1/allocations").size());
        }
    }

    @Test
    void forcedGcRemovesTerminalAllocsAndLeavesRunningOnes() throws Exception {
        // Nomad's defaults (1m interval, 50 allocs): nothing goes unless asked.
        try (var agent = new AgentFixture(dir, placement)) {
            String svc = agent.run(SERVICE).getFirst();
            LongAwait.state(agent, svc, "t", "running");
            String one = runToCompletion(agent, batch("one"));
            String two = runToCompletion(agent, batch("two"));

            var running = agent.call("POST", "/v1/client/allocation/" + svc + "/gc", null);
            assertEquals(400, running.status(), running.body());
            assertTrue(running.body().contains("not terminal"), running.body());

            var single = agent.call("POST", "/v1/client/allocation/" + one + "/gc", null);
            assertEquals(200, single.status(), single.body());
            assertEquals(one, single.json().path("Collected").get(0).asString());
            assertCollected(agent, one);
            assertEquals(404, agent.call("POST", "/v1/client/allocation/" + one + "/gc", null).status());

            var all = agent.call("PUT", "/v1/client/gc", null);
            assertEquals(200, all.status(), all.body());
            assertEquals(List.of(two), all.json().path("Collected").valueStream().map(n -> n.asString()).toList());
            assertCollected(agent, two);
            assertEquals("running", agent.alloc(svc).path("ClientStatus").asString());
            assertTrue(Files.isDirectory(allocDir(svc)));
        }
    }
}
