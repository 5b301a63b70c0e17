package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.drivers.docker.DockerFixture;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code alloc exec} end to end: a real agent, the websocket in Nomad's frames, a real pty
 * (raw_exec: ours, through the executor plugin; exec: crun's, passed over its console socket;
 * docker: the engine's, over a hijacked Engine API connection to a private dockerd).
 */
class AllocExecTest extends AgentTestBase {
    @RegisterExtension
    static final DockerFixture docker = DockerFixture.perClass("exec", 0);

    @Override
    Map<String, Map<String, Object>> plugins() {
        return Map.of("docker", Map.of("endpoint", docker.endpoint()));
    }

    /** A long-running task of the given driver; returns its alloc id once it runs. */
    String running(String driver) throws Exception {
        String config = driver.equals("docker")
                ? "image = \"" + docker.image() + "\"\n        network_mode = \"none\"\n        command = \"/bin/sleep\""
                : "command = \"/bin/sleep\"";
        String alloc = agent.run("""
                job "sh" {
                  group "g" {
                    task "t" {
                      driver = "%s"
                      kill_timeout = "1s"
                      config {
                        %s
                        args    = ["1000"]
                      }
                      env { GREETING = "hello-${NOMAD_TASK_NAME}" }
                    }
                  }
                }
                """.formatted(driver, config)).getFirst();
        agent.awaitState(alloc, "t", "running");
        return alloc;
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void aTtySessionHasATerminalItsSizeTheTaskEnvAndTheExitCode(String driver) throws Exception {
        String alloc = running(driver);
        var s = ExecSocket.open(agent, alloc, "t", true, "/bin/sh");
        s.resize(33, 101).stdin("tty; stty size; echo \"$NOMAD_TASK_NAME $NOMAD_ALLOC_ID $GREETING\"\n");
        s.await("/dev/pts/\\d+\\r\\n");
        s.await("33 101\\r\\n");
        s.await("t " + alloc + " hello-t");
        s.resize(40, 120).stdin("stty size\n");
        s.await("40 120\\r\\n");
        s.heartbeat().stdin("exit 7\n");
        assertEquals(7, s.awaitExit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void withoutTtyStdinRoundTripsAndItsCloseEndsTheCommand(String driver) throws Exception {
        String alloc = running(driver);
        var s = ExecSocket.open(agent, alloc, "t", false, "/bin/cat");
        s.stdin("hi\n").closeStdin();
        assertEquals(0, s.awaitExit());
        assertEquals("hi\n", s.stdout());

        var both = ExecSocket.open(agent, alloc, "t", false, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, both.awaitExit());
        assertEquals("out\n", both.stdout());
        assertEquals("err\n", both.stderr());

        // The driver counts its sessions as the task's own metric.
        var labels = new java.util.HashMap<>(Scrapes.task("sh", alloc, "t"));
        labels.put("driver", driver);
        var sessions = new Scrapes(agent).scrape().samples("drover_driver_exec_sessions_total", labels);
        assertEquals(2.0, sessions.getFirst().value(), sessions.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void ctrlCReachesTheForegroundProcess(String driver) throws Exception {
        String alloc = running(driver);
        var s = ExecSocket.open(agent, alloc, "t", true, "/bin/sh");
        s.stdin("sleep 4343\n");
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcScan.all().stream().noneMatch(p -> p.cmdline().equals("sleep 4343"))) {
            if (System.currentTimeMillis() > deadline) fail("sleep never started: " + s.stdout());
            Thread.sleep(20);
        }
        s.stdin(new byte[] {3});
        s.await("\\^C");
        s.stdin("echo rc=$?\n");
        s.await("rc=130");
        s.stdin("exit\n");
        assertEquals(0, s.awaitExit());
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void manySequentialSessionsLoseNoExitCode(String driver) throws Exception {
        String alloc = running(driver);
        // The 200 sessions for every driver in one placement, fewer in the other (CI time);
        // bench/exec_latency.py runs the long series.
        int n = Integer.getInteger("drover.exec.sessions", placement == PluginPlacement.PER_TASK ? 200 : 40);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            var s = ExecSocket.open(agent, alloc, "t", i % 2 == 0, "/bin/sh", "-c", "echo " + i + "; exit " + (i % 256));
            assertEquals(i % 256, s.awaitExit(), "session " + i);
            assertTrue(s.stdout().startsWith(Integer.toString(i)), "session " + i + ": " + s.stdout());
        }
        System.out.printf("%s/%s: %d sequential exec sessions in %d ms%n", driver, placement, n, (System.nanoTime() - start) / 1_000_000);
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void stoppingTheTaskEndsTheSession(String driver) throws Exception {
        String alloc = running(driver);
        var s = ExecSocket.open(agent, alloc, "t", true, "/bin/sh");
        s.stdin("echo ready\n").await("ready");
        assertEquals(200, agent.call("DELETE", "/v1/job/sh", null).status());
        int code = s.awaitExit();
        assertTrue(code == 137 || code == 129, "killed with the task, got exit code " + code);
        agent.awaitState(alloc, "t", "dead");
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void badRequestsAreClearErrorsAndTheAgentCarriesOn(String driver) throws Exception {
        String alloc = running(driver);
        var missing = ExecSocket.open(agent, alloc, "t", true, "no-such-command");
        var closed = missing.awaitClose();
        assertEquals(1008, closed.code(), closed.toString());
        String message = closed.reason() + missing.stderr();
        assertTrue(message.contains("\"no-such-command\" not found in"), message);

        closed = ExecSocket.open(agent, alloc, "nope", true, "/bin/sh").awaitClose();
        assertEquals(1008, closed.code());
        assertTrue(closed.reason().contains("task \"nope\" not found"), closed.reason());

        closed = ExecSocket.open(agent, "00000000-dead", "t", true, "/bin/sh").awaitClose();
        assertEquals(1008, closed.code());
        assertTrue(closed.reason().contains("allocation \"00000000-dead\" not found"), closed.reason());

        var noCommand = agent.call("GET", "/v1/client/allocation/" + alloc + "/exec?task=t", null);
        assertEquals(400, noCommand.status());
        assertTrue(noCommand.body().contains("command"), noCommand.body());
        var notWebsocket = agent.call("GET", "/v1/client/allocation/" + alloc + "/exec?task=t&command=%5B%22sh%22%5D", null);
        assertEquals(400, notWebsocket.status(), notWebsocket.body());

        var s = ExecSocket.open(agent, alloc, "t", false, "/bin/sh", "-c", "echo still-fine");
        assertEquals(0, s.awaitExit());
        assertEquals("still-fine\n", s.stdout());
    }

    @Test
    void aFinishedTaskCannotBeExecedInto() throws Exception {
        String alloc = agent.run("""
                job "done" {
                  type = "batch"
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config { command = "/bin/true" }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "t", "dead");
        var closed = ExecSocket.open(agent, alloc, "t", true, "/bin/sh").awaitClose();
        assertEquals(1008, closed.code());
        assertTrue(closed.reason().contains("task \"t\" is not running"), closed.reason());
    }

    @ParameterizedTest
    @ValueSource(strings = {"raw_exec", "exec", "docker"})
    void aClientThatVanishesLeavesNoProcessBehind(String driver) throws Exception {
        String alloc = running(driver);
        var s = ExecSocket.open(agent, alloc, "t", true, "/bin/sh");
        s.stdin("sleep 4545 & sleep 4646\n");
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcScan.all().stream().noneMatch(p -> p.cmdline().equals("sleep 4646"))) {
            if (System.currentTimeMillis() > deadline) fail("sleep never started: " + s.stdout());
            Thread.sleep(20);
        }
        s.abort();
        for (String gone : new String[] {"sleep 4545", "sleep 4646"}) { // exact: other suites run sleeps too
            long end = System.currentTimeMillis() + 10_000;
            while (ProcScan.all().stream().anyMatch(p -> p.cmdline().equals(gone))) {
                if (System.currentTimeMillis() > end) fail("left behind: " + ProcScan.withCmdline(gone));
                Thread.sleep(20);
            }
        }
    }
}
