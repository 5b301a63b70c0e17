package dev.drover.agent.e2e;

import static dev.drover.agent.e2e.LogCounters.seqBytes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.testing.ProcScan;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A task's log counters in /v1/metrics match exactly what it wrote, per stream. */
class LogCountersTest extends AgentTestBase {
    @Test
    void lineAndByteCountersMatchWhatTheTaskWrote() throws Exception {
        // stdout floods (logmon's splice path); stderr trickles; stdout ends in a partial line,
        // written after the idle flush: its bytes count, it is no line.
        String alloc = agent.run("""
                job "chatty" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "seq 1 200000; for i in $(seq 1 300); do echo err $i >&2; done; printf tail; exec sleep 600"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "t", "running");
        long stderrBytes = 0;
        for (int i = 1; i <= 300; i++) stderrBytes += ("err " + i + "\n").length();
        LogCounters.await(agent, LogCounters.task("chatty", alloc, "t"),
                new LogCounters.Expected(seqBytes(200_000) + "tail".length(), 200_000),
                new LogCounters.Expected(stderrBytes, 300));
    }

    /**
     * The counters are logmon's, not the agent's: an agent restart reattaches to them, and a
     * logmon killed with -9 (per_task: the task's; shared: the host) is replaced by one that
     * resumes them exactly, from its checkpoint and the files.
     */
    @Test
    void countersSurviveAnAgentRestartAndAKilledLogmon() throws Exception {
        String alloc = agent.run("""
                job "steady" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "seq 1 50000; exec sleep 600"]
                      }
                    }
                  }
                }
                """).getFirst();
        var labels = LogCounters.task("steady", alloc, "t");
        var stdout = new LogCounters.Expected(seqBytes(50_000), 50_000);
        var none = new LogCounters.Expected(0, 0);
        LogCounters.await(agent, labels, stdout, none);

        agent.leaveTasksRunning();
        agent = new AgentFixture(dir, placement, plugins());
        agent.awaitState(alloc, "t", "running");
        LogCounters.await(agent, labels, stdout, none);

        int logmon = logmonPid();
        long killedAt = System.currentTimeMillis() * 1_000_000;
        assertTrue(Native.kill(logmon, Native.SIGKILL));
        // Only a reading taken after the kill counts: the new logmon's (and, shared, the adopting executor's).
        long deadline = System.currentTimeMillis() + 30_000;
        while (logmonPids().equals(List.of(logmon)) || logmonPids().isEmpty()
                || agent.get("/v1/client/allocation/" + alloc + "/stats").path("Tasks").path("t").path("Timestamp").asLong() <= killedAt) {
            assertTrue(System.currentTimeMillis() < deadline, "no new logmon, or no reading since killing " + logmon);
            Thread.sleep(100);
        }
        LogCounters.await(agent, labels, stdout, none);
    }

    /** This agent's logmon processes (a shared host serves logmon too). */
    private List<Integer> logmonPids() {
        var all = ProcScan.all().stream()
                .filter(p -> p.cmdline().contains(" " + dir + "/") && p.cmdline().matches(".*PluginMain \\S*\\blogmon\\b.*"))
                .toList();
        var pids = all.stream().map(ProcScan.Proc::pid).toList();
        return all.stream().filter(p -> !pids.contains(p.ppid())).map(ProcScan.Proc::pid).toList(); // not a task being spawned
    }

    private int logmonPid() {
        var pids = logmonPids();
        assertEquals(1, pids.size(), "one logmon: " + pids);
        return pids.getFirst();
    }
}
