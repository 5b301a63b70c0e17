package dev.drover.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drover alloc exec -t} as a person uses it: in a real terminal (a tmux pane), typing keys
 * and reading the screen. Covers raw mode (^C goes to the remote shell, not the CLI), the size at
 * start and after a window resize (SIGWINCH), the exit code, and the terminal restored afterwards.
 */
class AllocExecTerminalIT {
    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path BIN = ROOT.resolve("bin/drover");

    private static String run(Path dir, String... cmd) throws Exception {
        var p = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) fail(String.join(" ", cmd) + " did not finish");
        if (p.exitValue() != 0) fail(String.join(" ", cmd) + " failed (" + p.exitValue() + "): " + out);
        return out;
    }

    private static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** A tmux server of our own (-L), so nothing of the user's is touched. */
    private record Tmux(Path dir, String socket) {
        String[] cmd(String... args) {
            var all = new ArrayList<>(List.of("tmux", "-L", socket));
            all.addAll(List.of(args));
            return all.toArray(String[]::new);
        }

        void keys(String... keys) throws Exception {
            var args = new ArrayList<>(List.of("send-keys", "-t", "exec"));
            args.addAll(List.of(keys));
            run(dir, cmd(args.toArray(String[]::new)));
        }

        String screen() throws Exception {
            return run(dir, cmd("capture-pane", "-p", "-J", "-t", "exec", "-S", "-200"));
        }

        String await(String regex) throws Exception {
            var pattern = Pattern.compile(regex);
            long deadline = System.currentTimeMillis() + 30_000;
            String screen = screen();
            while (!pattern.matcher(screen).find()) {
                if (System.currentTimeMillis() > deadline) fail("no /" + regex + "/ on the screen:\n" + screen);
                Thread.sleep(100);
                screen = screen();
            }
            return screen;
        }
    }

    /** Fails, naming the package, unless {@code tmux} is on PATH (where {@link Tmux} runs it from). */
    static void requireTmux() {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, "tmux"))) return;
        }
        fail("prerequisite missing: tmux not found on PATH (apt-get install tmux; scripts/test.sh installs it)");
    }

    @Test
    void anInteractiveShellInARealTerminal(@TempDir Path dir) throws Exception {
        requireTmux();
        int port = freePort();
        String addr = "http://127.0.0.1:" + port;
        Path job = dir.resolve("sleepy.hcl");
        Files.writeString(job, """
                job "sleepy" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sleep"
                        args    = ["1000"]
                      }
                    }
                  }
                }
                """);
        var agent = new ProcessBuilder(BIN.toString(), "agent", "-dev", "-data-dir", dir.resolve("data").toString(), "-http-port", Integer.toString(port))
                .directory(ROOT.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("agent.log").toFile()).start();
        var tmux = new Tmux(dir, "drover-it-" + port);
        try {
            long deadline = System.currentTimeMillis() + 60_000;
            while (!Files.readString(dir.resolve("agent.log")).contains("Drover agent started")) {
                if (!agent.isAlive() || System.currentTimeMillis() > deadline) fail("agent did not start:\n" + Files.readString(dir.resolve("agent.log")));
                Thread.sleep(100);
            }
            var pb = new ProcessBuilder(BIN.toString(), "job", "run", job.toString()).directory(ROOT.toFile()).redirectErrorStream(true);
            pb.environment().put("DROVER_ADDR", addr);
            var p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), out);
            var m = Pattern.compile("allocations ([0-9a-f]{8})").matcher(out);
            assertTrue(m.find(), out);

            String shell = "DROVER_ADDR=" + addr + " " + BIN + " alloc exec -t " + m.group(1) + " /bin/sh; "
                    + "echo EXIT=$?; stty -a | tr ' ;' '\\n\\n' | grep -x -e echo -e -echo -e icanon -e -icanon | tr '\\n' ' '; echo; sleep 600";
            run(dir, tmux.cmd("new-session", "-d", "-s", "exec", "-x", "100", "-y", "30", "sh", "-c", shell));
            tmux.await("(?m)^#\\s*$"); // the remote shell's prompt: the CLI is connected and the terminal raw
            tmux.keys("tty", "Enter");
            tmux.await("/dev/pts/\\d+");
            tmux.keys("stty size", "Enter");
            tmux.await("\\n30 100\\s*\\n");
            run(dir, tmux.cmd("resize-window", "-t", "exec", "-x", "120", "-y", "40"));
            Thread.sleep(300); // SIGWINCH, then the CLI's resize frame
            tmux.keys("stty size", "Enter");
            tmux.await("\\n40 120\\s*\\n");
            tmux.keys("sleep 4747", "Enter");
            Thread.sleep(500);
            tmux.keys("C-c");
            tmux.keys("echo rc=$?", "Enter");
            tmux.await("rc=130");
            tmux.keys("exit 5", "Enter");
            // after the CLI exits the terminal is back in cooked mode with echo (stty -a lists icanon, then echo)
            tmux.await("EXIT=5\\s*\\n\\s*icanon echo");
        } finally {
            new ProcessBuilder(tmux.cmd("kill-server")).start().waitFor();
            agent.destroy();
            if (!agent.waitFor(60, TimeUnit.SECONDS)) {
                agent.destroyForcibly();
                fail("agent did not exit on SIGTERM");
            }
        }
    }
}
