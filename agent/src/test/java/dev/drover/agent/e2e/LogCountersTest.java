package dev.drover.agent.e2e;

import static dev.drover.agent.e2e.LogCounters.seqBytes;

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
}
