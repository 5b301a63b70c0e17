package dev.drover.dist;

import static dev.drover.dist.BinDrover.agent;
import static dev.drover.dist.BinDrover.drover;
import static dev.drover.dist.BinDrover.freePort;
import static dev.drover.dist.BinDrover.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drover alloc logs -f} as a user runs it while the agent is killed (-9) and restarted, then
 * stopped (SIGTERM, tasks left running) and restarted, with the task's log rotating meanwhile: every
 * line arrives once and in order, and the CLI ends when the task does, saying how it ended.
 */
class LogsFollowIT {
    private static final int LINES = 30_000;

    @Test
    void followOutlivesAgentRestartsAndRotationAndEndsWithTheExitStatus(@TempDir Path dir) throws Exception {
        int port = freePort();
        String addr = "http://127.0.0.1:" + port;
        Path config = dir.resolve("agent.hcl");
        Files.writeString(config, """
                data_dir = "%s"
                ports { http = %d }
                plugin "raw_exec" {
                  config { enabled = true }
                }
                """.formatted(dir.resolve("data"), port));
        // ~200-byte lines, 400 at a time ten times a second: 1 MB files rotate every few seconds.
        String script = "i=0; while [ $i -lt " + LINES + " ]; do j=0; while [ $j -lt 400 ]; do i=$((i+1)); j=$((j+1)); "
                + "printf 'line %06d " + "x".repeat(180) + "\\n' $i; done; sleep 0.1; done; exit 3";
        Path job = dir.resolve("chatty.hcl");
        Files.writeString(job, """
                job "chatty" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 0
                      mode     = "fail"
                    }
                    task "t" {
                      driver = "raw_exec"
                      logs {
                        max_files     = 50
                        max_file_size = 1
                      }
                      config {
                        command = "/bin/sh"
                        args    = ["-c", %s]
                      }
                    }
                  }
                }
                """.formatted(quote(script)));
        Path log = dir.resolve("agent.log");
        var agent = agent(log, "-config", config.toString());
        Process follower = null;
        Path out = dir.resolve("follow.out");
        Path err = dir.resolve("follow.err");
        try {
            var run = drover(addr, "job", "run", job.toString());
            assertEquals(0, run.code(), run.out() + run.err());
            var m = Pattern.compile("allocations ([0-9a-f]{8})").matcher(run.out());
            assertTrue(m.find(), run.out());
            var pb = new ProcessBuilder(BinDrover.BIN.toString(), "alloc", "logs", "-f", m.group(1), "t")
                    .directory(BinDrover.ROOT.toFile()).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().put("DROVER_ADDR", addr);
            follower = pb.start();

            awaitLines(out, 2_000, follower);
            agent.destroyForcibly(); // kill -9: no shutdown of any kind
            agent.waitFor();
            Thread.sleep(1_000); // the task writes on, nobody serves the API
            agent = agent(log, "-config", config.toString());

            awaitLines(out, countLines(out) + 2_000, follower);
            stop(agent); // SIGTERM without drain: the task keeps running
            Thread.sleep(500);
            agent = agent(log, "-config", config.toString());

            if (!follower.waitFor(180, TimeUnit.SECONDS)) fail("alloc logs -f did not end after the task did; stderr:\n" + Files.readString(err));
            String stderr = Files.readString(err);
            assertEquals(0, follower.exitValue(), stderr);
            assertTrue(stderr.contains("==> Task \"t\" is dead (failed): exit code 3"), stderr);
            assertTrue(stderr.contains("==> Agent unreachable") && stderr.contains("==> Agent is back"), "the follow saw the agent go: " + stderr);

            List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
            assertEquals(LINES, lines.size(), "lines printed (stderr: " + stderr + ")");
            for (int i = 0; i < LINES; i++) {
                String want = String.format("line %06d ", i + 1) + "x".repeat(180);
                if (!lines.get(i).equals(want)) fail("line " + (i + 1) + " is \"" + lines.get(i) + "\"; stderr:\n" + stderr);
            }
            // The log did rotate while the agents came and went.
            assertTrue(Files.exists(dir.resolve("data/alloc").toFile().listFiles()[0].toPath().resolve("alloc/logs/t.stdout.4")),
                    "expected at least 5 rotated files");
        } finally {
            if (follower != null) follower.destroyForcibly();
            drover(addr, "job", "stop", "chatty");
            stop(agent);
        }
    }

    private static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }

    private static long countLines(Path file) throws Exception {
        try (var lines = Files.lines(file, StandardCharsets.ISO_8859_1)) {
            return lines.count();
        }
    }

    private static void awaitLines(Path file, long n, Process follower) throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (countLines(file) < n) {
            if (!follower.isAlive()) fail("alloc logs -f exited early with " + follower.exitValue());
            if (System.currentTimeMillis() > deadline) fail("fewer than " + n + " lines followed within 60 s");
            Thread.sleep(50);
        }
    }
}
