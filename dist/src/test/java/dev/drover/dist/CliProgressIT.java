package dev.drover.dist;

import static dev.drover.dist.BinDrover.agent;
import static dev.drover.dist.BinDrover.drover;
import static dev.drover.dist.BinDrover.freePort;
import static dev.drover.dist.BinDrover.stop;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.docker.DockerFixture;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Progress where work is long, through bin/drover against a real agent: {@code job run} shows a
 * docker task's image pull ("Downloading image", "Pulled X MB of Y MB") while it waits, {@code
 * alloc logs -f} shows a task's events until it starts, and {@code alloc status -stats} shows the
 * running container's usage.
 */
class CliProgressIT {
    @Test
    void jobRunShowsThePullAllocLogsShowsTheWaitAndAllocStatusShowsStats(@TempDir Path dir) throws Exception {
        try (var docker = DockerFixture.start()) {
            // Big enough that the pull is visible work; pushed to the registry and absent from the engine.
            String image = docker.pushImage("progress", "1", 24);
            Path config = Files.writeString(dir.resolve("agent.hcl"), """
                    plugin "docker" {
                      config {
                        endpoint = "%s"
                      }
                    }
                    """.formatted(docker.endpoint()));
            String addr = "http://127.0.0.1:" + freePort();
            Path data = dir.resolve("data");
            var agent = agent(dir.resolve("agent.log"), "-dev", "-config", config.toString(), "-data-dir", data.toString(),
                    "-http-port", addr.substring(addr.lastIndexOf(':') + 1));
            try {
                jobRunShowsThePull(addr, dir, image);
                allocLogsShowsTheEventsUntilTheTaskStarts(addr, dir);
            } finally {
                stop(agent); // SIGTERM: a dev agent stops its tasks, then exits
            }
            ProcScan.awaitGone(data.toString(), 15_000);
            assertEquals(List.of(), docker.droverContainers(), "containers left behind");
        }
    }

    private void jobRunShowsThePull(String addr, Path dir, String image) throws Exception {
        Path job = Files.writeString(dir.resolve("pull.hcl"), """
                job "pull" {
                  group "g" {
                    task "web" {
                      driver = "docker"
                      config {
                        image        = "%s"
                        command      = "/bin/sh"
                        args         = ["-c", "x=$(head -c 62914560 /dev/zero | busybox tr '\\\\0' x); while :; do sleep 1; done"]
                        network_mode = "none"
                      }
                      resources {
                        memory = 256
                      }
                    }
                  }
                }
                """.formatted(image));
        var run = drover(addr, "job", "run", job.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        String out = run.out();
        int downloading = out.indexOf("task \"web\": Driver: Downloading image " + image + "\n");
        var pulled = Pattern.compile("task \"web\": Driver: Pulled (\\d+\\.\\d) MB of (\\d+\\.\\d) MB\n").matcher(out);
        assertTrue(downloading > 0, out);
        assertTrue(pulled.find() && pulled.start() > downloading, "pull progress after 'Downloading image':\n" + out);
        double total = Double.parseDouble(pulled.group(2));
        assertTrue(total >= 24, "the 24 MiB layer is in the total: " + out);
        int running = out.indexOf("status \"running\"");
        assertTrue(running > pulled.start(), "the pull is shown while the allocation is still pending:\n" + out);
        assertTrue(out.indexOf("task \"web\": Started") > pulled.start(), out);

        var m = Pattern.compile("Finished: allocations ([0-9a-f]{8})").matcher(out);
        assertTrue(m.find(), out);
        var stats = "";
        for (long end = System.currentTimeMillis() + 30_000; System.currentTimeMillis() < end; Thread.sleep(500)) {
            stats = drover(addr, "alloc", "status", "-stats", m.group(1)).out();
            if (stats.matches("(?s).*Task Resources:.*\\d+/100 MHz +[5-9]\\d MiB/256 MiB.*")) break;
        }
        // The container's 60 MiB, read from the engine's stats, against its 256 MiB.
        assertTrue(stats.matches("(?s).*Task Resources:.*\\d+/100 MHz +[5-9]\\d MiB/256 MiB.*\\[#####-+\\] 2\\d%.*"), stats);
    }

    private void allocLogsShowsTheEventsUntilTheTaskStarts(String addr, Path dir) throws Exception {
        // The main task waits for a prestart task of 10 s (time for the CLI's JVM to start on a busy node).
        Path job = Files.writeString(dir.resolve("wait.hcl"), """
                job "wait" {
                  type = "batch"
                  group "g" {
                    task "setup" {
                      lifecycle {
                        hook = "prestart"
                      }
                      driver = "raw_exec"
                      config {
                        command = "/bin/sleep"
                        args    = ["10"]
                      }
                    }
                    task "main" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo hello from main"]
                      }
                    }
                  }
                }
                """);
        var run = drover(addr, "job", "run", "-detach", job.toString());
        assertEquals(0, run.code(), run.out() + run.err());
        var m = Pattern.compile("Allocation \"([0-9a-f]{8})\" created").matcher(run.out());
        assertTrue(m.find(), run.out());
        var logs = drover(addr, "alloc", "logs", "-f", m.group(1), "main");
        assertEquals(0, logs.code(), logs.out() + logs.err());
        assertEquals("hello from main\n", logs.out());
        assertTrue(logs.err().startsWith("==> Waiting for task \"main\" to start\n"), logs.err());
        assertTrue(logs.err().contains("    Received: Task received by client\n"), logs.err());
        assertTrue(logs.err().contains("    Started: Task started by client\n"), logs.err());
    }
}
