package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.plugin.PluginPlacement;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stop whose call fails the way a lost plugin connection does (the shared host replaced under a
 * mass stop) is retried, as Nomad retries StopTask: the task ends instead of running on with desired
 * status stop. Uses the mock driver, whose first StopTask calls fail on request.
 */
class StopRetryTest {
    @TempDir
    Path dir;

    @Test
    void aStopThatFailsRecoverablyIsRetriedUntilTheTaskEnds() throws Exception {
        try (var agent = new AgentFixture(dir, PluginPlacement.SHARED)) {
            String alloc = agent.run("""
                    job "stubborn" {
                      group "g" {
                        task "t" {
                          driver = "mock"
                          config {
                            run_for       = "1h"
                            stop_failures = 2
                          }
                        }
                      }
                    }
                    """).getFirst();
            agent.awaitState(alloc, "t", "running");
            long began = System.nanoTime();
            assertEquals(200, agent.call("DELETE", "/v1/job/stubborn", null).status());
            var state = agent.awaitState(alloc, "t", "dead");
            assertTrue(AgentFixture.eventTypes(state).contains("Killed"), AgentFixture.eventTypes(state).toString());
            long tookMillis = (System.nanoTime() - began) / 1_000_000;
            // two failed calls, then backoffs of 0.5 s and 1 s before the call that works
            assertTrue(tookMillis >= 1_400, "the third call came after the backoffs, not at once: " + tookMillis + " ms");
        }
    }
}
