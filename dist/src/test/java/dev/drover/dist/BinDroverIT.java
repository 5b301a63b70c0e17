package dev.drover.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static dev.drover.dist.BinDrover.agent;
import static dev.drover.dist.BinDrover.drover;
import static dev.drover.dist.BinDrover.freePort;
import static dev.drover.dist.BinDrover.stop;

import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a user types it: bin/drover agent -dev, then the CLI against it
 * with the example job. Checks the output a user sees and that nothing is left running.
 */
class BinDroverIT {
    @Test
    void devAgentRunsTheExampleJobAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        int port = freePort();
        String addr = "http://127.0.0.1:" + port;
        Path data = dir.resolve("data");
        var agent = agent(dir.resolve("agent.log"), "-dev", "-data-dir", data.toString(), "-http-port", Integer.toString(port));
        try {
            var run = drover(addr, "job", "run", "examples/hello.hcl");
            assertEquals(0, run.code(), run.out() + run.err());
            var m = Pattern.compile("Finished: allocations ([0-9a-f]{8})").matcher(run.out());
            assertTrue(m.find(), run.out());
            String alloc = m.group(1);

            var status = drover(addr, "alloc", "status", alloc);
            assertEquals(0, status.code(), status.err());
            assertTrue(status.out().contains("Task \"web\" is \"running\""), status.out());
            assertTrue(status.out().contains("Started"), status.out());

            String logs = "";
            for (long end = System.currentTimeMillis() + 15_000; !logs.contains("hello from web") && System.currentTimeMillis() < end; Thread.sleep(200)) {
                logs = drover(addr, "alloc", "logs", alloc, "web").out();
            }
            assertTrue(logs.contains("hello from web in alloc " + alloc), logs);

            var jobs = drover(addr, "job", "status");
            assertTrue(jobs.out().contains("hello") && jobs.out().contains("running"), jobs.out());

            var stop = drover(addr, "job", "stop", "hello");
            assertEquals(0, stop.code(), stop.out() + stop.err());
            ProcScan.awaitGone("got SIGHUP, reloading", 15_000); // the task's shell script

            var bad = drover(addr, "job", "run", BinDrover.ROOT.resolve("README.md").toString());
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("README.md:"), bad.err());
        } finally {
            stop(agent); // SIGTERM: a dev agent stops its tasks, then exits
        }
        ProcScan.awaitGone(data.toString(), 15_000);
    }

    @Test
    void aDevAgentWithoutADataDirRemovesItsTemporaryOneWhenItStops(@TempDir Path dir) throws Exception {
        int port = freePort();
        Path log = dir.resolve("agent.log");
        var agent = agent(log, "-dev", "-http-port", Integer.toString(port));
        Path data;
        try {
            var m = Pattern.compile("data dir: (\\S+)").matcher(Files.readString(log));
            assertTrue(m.find(), Files.readString(log));
            data = Path.of(m.group(1));
            var run = drover("http://127.0.0.1:" + port, "job", "run", "examples/hello.hcl");
            assertEquals(0, run.code(), run.out() + run.err());
            assertTrue(Files.isDirectory(data.resolve("allocs")) || Files.list(data).findAny().isPresent(), "the agent uses " + data);
        } finally {
            stop(agent);
        }
        assertFalse(Files.exists(data), "the dev agent's temporary data dir is left: " + data);
        ProcScan.awaitGone(data.toString(), 15_000);
    }
}
