package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** A task's kill_timeout is capped by the agent's client max_kill_timeout (Nomad's rule). */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class MaxKillTimeoutTest {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    @Test
    void killTimeoutIsCappedByTheAgentsMaxKillTimeout() throws Exception {
        String marker = "stubborn-" + UUID.randomUUID().toString().substring(0, 8);
        try (var agent = new AgentFixture(dir, placement, c -> c.withMaxKillTimeout(Duration.ofSeconds(1)))) {
            String alloc = agent.run("""
                    job "stubborn" {
                      group "g" {
                        task "t" {
                          driver       = "raw_exec"
                          kill_timeout = "5m"
                          kill_signal  = "SIGTERM"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done; echo MARK"]
                          }
                        }
                      }
                    }
                    """.replace("MARK", marker)).getFirst();
            LongAwait.state(agent, alloc, "t", "running");
            agent.awaitLog(alloc, "t", "stdout", "ready");
            long t0 = System.nanoTime();
            assertEquals(200, agent.call("DELETE", "/v1/job/stubborn", null).status());
            // It ignores SIGTERM: only the SIGKILL after the capped timeout ends it (the await allows 30 s, not 5 m).
            var state = agent.awaitState(alloc, "t", "dead");
            long tookMs = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(tookMs >= 900, "waited the capped timeout before SIGKILL: " + tookMs + " ms");
            var killing = state.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Killing"))
                    .findFirst().orElseThrow();
            assertEquals(Duration.ofSeconds(1).toNanos(), killing.path("KillTimeout").asLong(), killing.toString());
            var terminated = state.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Terminated"))
                    .findFirst().orElseThrow();
            assertEquals(9, terminated.path("Signal").asInt(), terminated.toString());
            ProcScan.awaitGone(marker, 5_000);
        }
    }
}
