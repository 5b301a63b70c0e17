package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.state.StateStore;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.node.ObjectNode;

/**
 * A recorded task pid now belongs to an unrelated process (simulated: the handle names a live
 * `sleep` of ours with a start time that is not its own, and the task's executor is dead, so
 * recovery must go by the record). Recovery and stop must never signal that process.
 */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class PidReuseTest {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    @Test
    void aRecordedPidOwnedByAnotherProcessIsLeftAlone() throws Exception {
        String marker = "reuse-" + UUID.randomUUID().toString().substring(0, 8);
        String alloc;
        var first = new AgentFixture(dir, placement);
        try {
            alloc = first.run("""
                    job "reuse" {
                      group "g" {
                        task "t" {
                          driver = "raw_exec"
                          config {
                            command = "/bin/sh"
                            args    = ["-c", "while true; do echo MARK; sleep 0.1; done"]
                          }
                        }
                      }
                    }
                    """.replace("MARK", marker)).getFirst();
            first.awaitState(alloc, "t", "running");
            first.awaitLog(alloc, "t", "stdout", marker);
        } finally {
            first.leaveTasksRunning();
        }
        // The executor dies while no agent runs: the next agent can only go by the record.
        var executor = ProcScan.all().stream().filter(p -> p.cmdline().contains(" " + dir + "/") && p.cmdline().matches(".*PluginMain \\S*executor.*"))
                        .filter(p -> ProcScan.descendants(p.pid()).stream().anyMatch(c -> c.cmdline().contains(marker))).findFirst().orElseThrow();
        assertTrue(Native.kill(executor.pid(), Native.SIGKILL));
        assertTrue(waitDead(executor), "executor still alive after SIGKILL");

        var stranger = new ProcessBuilder("sleep", "600").start();
        try {
            var strangerProc = ProcScan.read((int) stranger.pid()).orElseThrow();
            forgeTaskPid(dir.resolve("client/state.db"), (int) stranger.pid(), strangerProc.startTicks() + 7);

            try (var second = new AgentFixture(dir, placement)) {
                Thread.sleep(2000); // recovery has run
                assertEquals(200, second.call("DELETE", "/v1/job/reuse", null).status());
                second.awaitState(alloc, "t", "dead");
            }
            assertTrue(stranger.isAlive(), "the unrelated process at the recorded pid was signalled");
            assertTrue(strangerProc.alive(), "the unrelated process is still the same process");
            ProcScan.awaitGone(marker, 10_000); // and the real task was still cleaned up (by its cgroup)
        } finally {
            stranger.destroyForcibly();
        }
    }

    private static boolean waitDead(ProcScan.Proc p) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (p.alive() && System.currentTimeMillis() < deadline) Thread.sleep(50);
        return !p.alive();
    }

    /** Rewrites every persisted task handle to name {@code pid} with a start time that is not its own. */
    private static void forgeTaskPid(Path stateFile, int pid, long startTicks) {
        try (var store = new StateStore(stateFile)) {
            int forged = 0;
            for (String key : store.keys(StateStore.Bucket.TASK_LOCAL)) {
                var local = (ObjectNode) store.getTree(StateStore.Bucket.TASK_LOCAL, key).orElseThrow();
                var state = local.path("handle").path("driverState");
                if (!(state instanceof ObjectNode driverState)) continue;
                driverState.put("pid", pid);
                driverState.put("startTicks", startTicks);
                store.put(StateStore.Bucket.TASK_LOCAL, key, local);
                forged++;
            }
            assertEquals(1, forged, "one task handle to forge");
        }
    }
}
