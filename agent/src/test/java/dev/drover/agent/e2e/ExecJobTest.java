package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.testing.ProcScan;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The exec and java drivers end to end: a real agent, the executor plugin driving crun, the task
 * sandboxed as nobody with Nomad's capabilities, and nothing left after a stop.
 */
class ExecJobTest extends AgentTestBase {

    @Test
    void execTaskRunsSandboxedAsNobodyWithNomadsCapabilities() throws Exception {
        String alloc = agent.run("""
                job "iso" {
                  type = "batch"
                  group "g" {
                    task "t" {
                      driver = "exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "id -u; echo pid=$$; grep CapEff /proc/self/status; echo $NOMAD_TASK_DIR $NOMAD_ALLOC_DIR; touch /usr/x 2>/dev/null || echo usr-ro; echo hi > /alloc/data/f && echo alloc-rw"]
                      }
                    }
                  }
                }
                """).getFirst();
        var state = agent.awaitState(alloc, "t", "dead");
        assertFalse(state.path("Failed").asBoolean(), state.toString());
        String out = agent.logs(alloc, "t", "stdout", "");
        String caps = Long.toHexString(CapabilitySet.bitmask(CapabilitySet.NOMAD_DEFAULTS));
        assertEquals("65534\npid=1\nCapEff:\t" + "0".repeat(16 - caps.length()) + caps + "\n/local /alloc\nusr-ro\nalloc-rw\n", out);
    }

    @Test
    void capAddBeyondAllowCapsIsRejectedWithNomadsMessage() throws Exception {
        var response = agent.call("POST", "/v1/jobs/parse", """
                {"JobHCL": "job \\"caps\\" {\\n group \\"g\\" {\\n task \\"t\\" {\\n driver = \\"exec\\"\\n config {\\n command = \\"/bin/true\\"\\n cap_add = [\\"net_raw\\", \\"sys_admin\\"]\\n }\\n }\\n }\\n}\\n"}
                """);
        var run = agent.call("POST", "/v1/jobs", "{\"Job\": " + response.body() + "}");
        assertEquals(400, run.status(), run.body());
        assertTrue(run.body().contains("driver does not allow the following capabilities: net_raw, sys_admin"), run.body());
        assertEquals(200, agent.call("GET", "/v1/agent/health", null).status(), "the agent keeps serving");
    }

    @Test
    void stopKillsTheWholeSandboxedTreeAndLeavesNothing() throws Exception {
        String alloc = agent.run("""
                job "tree" {
                  group "g" {
                    task "t" {
                      driver = "exec"
                      kill_timeout = "1s"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "trap '' TERM; (trap '' TERM; setsid sleep 43217 &) ; sleep 43217 & echo started; wait"]
                        pids_limit = 64
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitLog(alloc, "t", "stdout", "started");
        // This task's sleepers: the unusual duration, in a cgroup named after this allocation.
        List<ProcScan.Proc> tree = ProcScan.withCmdline("sleep 43217").stream().filter(p -> inAllocCgroup(p.pid(), alloc)).toList();
        assertEquals(3, tree.size(), "the shell and both sandboxed sleepers are visible from the host: " + tree);
        assertEquals(200, agent.call("DELETE", "/v1/job/tree", null).status());
        agent.awaitState(alloc, "t", "dead");
        long deadline = System.currentTimeMillis() + 10_000;
        while (tree.stream().anyMatch(ProcScan.Proc::exists) && System.currentTimeMillis() < deadline) Thread.sleep(50);
        assertTrue(tree.stream().noneMatch(ProcScan.Proc::exists), "left behind: " + tree.stream().filter(ProcScan.Proc::exists).toList());
    }

    private static boolean inAllocCgroup(int pid, String alloc) {
        try {
            return java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + pid + "/cgroup")).contains(alloc);
        } catch (java.io.IOException e) {
            return false;
        }
    }

    @Test
    void nodeSelfShowsTheExecDriverHealthyWithItsRuntime() throws Exception {
        var node = agent.get("/v1/node/self");
        var exec = node.path("Drivers").path("exec");
        assertTrue(exec.path("Healthy").asBoolean(), exec.toString());
        assertEquals("1", node.path("Attributes").path("driver.exec").asString());
        assertFalse(node.path("Attributes").path("driver.exec.runtime").asString().isEmpty(), node.toString());
    }
}
