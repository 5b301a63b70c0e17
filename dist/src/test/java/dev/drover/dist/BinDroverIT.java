package dev.drover.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.testing.ProcScan;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command, as a user types it: bin/drover agent -dev, then the CLI against it
 * with the example job. Checks the output a user sees and that nothing is left running.
 */
class BinDroverIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path BIN = ROOT.resolve("bin/drover");

    record Result(int code, String out, String err) {}

    private static Result drover(String addr, String... args) throws Exception {
        var cmd = new java.util.ArrayList<>(List.of(BIN.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("DROVER_ADDR", addr);
        var p = pb.start();
        var out = p.getInputStream().readAllBytes();
        var err = p.getErrorStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) fail("drover " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void devAgentRunsTheExampleJobAndLeavesNothingBehind(@TempDir Path dir) throws Exception {
        int port = freePort();
        String addr = "http://127.0.0.1:" + port;
        Path data = dir.resolve("data");
        var agent = new ProcessBuilder(BIN.toString(), "agent", "-dev", "-data-dir", data.toString(), "-http-port", Integer.toString(port))
                .directory(ROOT.toFile())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("agent.log").toFile())
                .start();
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.readString(dir.resolve("agent.log")).contains("Drover agent started")) {
                if (!agent.isAlive() || System.currentTimeMillis() > deadline) fail("agent did not start:\n" + Files.readString(dir.resolve("agent.log")));
                Thread.sleep(100);
            }
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

            var bad = drover(addr, "job", "run", ROOT.resolve("README.md").toString());
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("README.md:"), bad.err());
        } finally {
            agent.destroy(); // SIGTERM: a dev agent stops its tasks, then exits
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
                fail("agent did not exit on SIGTERM");
            }
        }
        ProcScan.awaitGone(data.toString(), 15_000);
    }
}
