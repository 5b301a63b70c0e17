package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.config;
import static dev.drover.logmon.LogFiles.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginConnection;
import dev.drover.sdk.plugin.PluginLauncher;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8 part 4: a logmon killed with SIGKILL at any moment loses no line and repeats none. A
 * real logmon plugin process copies a real fifo that a separate writer process fills with
 * numbered lines (pieces that cut lines anywhere, pauses: partial lines wait in the fifo). The
 * logmon is killed 30 times, most of them a few milliseconds into a flood of output (while it
 * is copying), the others at random moments, and each time replaced by a new process given the
 * same session, as the agent's logmon watch does. At the end the rotated files, read in order,
 * must hold exactly lines 1..N, and the counters must say N lines and every byte, none dropped.
 *
 * <p>A failure is never washed out by the build's one retry of a failed test (a lost line is
 * never a flake): a second attempt fails at once with the first one's message.
 */
@Timeout(600)
class KillSafetyTest {
    private static final int KILLS = 30;
    private static final int FLOOD_BYTES = 3 << 20;
    private static volatile String earlierFailure;

    @TempDir
    Path temp;

    private final List<PluginConnection> launched = new ArrayList<>();
    private Process writer;

    @AfterEach
    void cleanUp() {
        if (writer != null) writer.destroyForcibly();
        launched.forEach(PluginConnection::kill);
    }

    @Test
    void noLineIsLostOrRepeatedWhenLogmonIsKilledAtRandomMoments() throws Exception {
        if (earlierFailure != null) throw new AssertionError("an earlier attempt failed; no retry: " + earlierFailure);
        try {
            killRepeatedly();
        } catch (AssertionError | Exception e) {
            earlierFailure = String.valueOf(e.getMessage());
            throw e;
        }
    }

    private void killRepeatedly() throws Exception {
        long seed = Long.getLong("drover.killsafety.seed", System.nanoTime());
        System.out.println("KillSafetyTest seed " + seed + " (-Ddrover.killsafety.seed=" + seed + " repeats it)");
        var random = new Random(seed);
        var launcher = new PluginLauncher(temp.resolve("state"));
        LogConfig cfg = config(temp, "web", 10_000, 1); // 1 MiB files, all kept
        Path logs = Path.of(cfg.logDir());

        var logmon = start(launcher, cfg);
        writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                NumberedLines.class.getName(), cfg.stdoutFifo(), Long.toString(seed))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        OutputStream commands = writer.getOutputStream();
        int duringFloods = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            if (random.nextInt(4) > 0) { // while it copies a flood
                commands.write(("flood " + FLOOD_BYTES + "\n").getBytes(StandardCharsets.US_ASCII));
                commands.flush();
                Thread.sleep(random.nextInt(25));
                duringFloods++;
            } else { // at any moment: waiting, holding a partial line, just started and catching up
                Thread.sleep(random.nextInt(300));
            }
            assertTrue(writer.isAlive(), "the writer ended early (exit " + (writer.isAlive() ? "" : writer.exitValue()) + ")");
            logmon.kill();
            launched.remove(logmon);
            logmon = start(launcher, cfg);
        }

        commands.close(); // the writer ends its last line and exits
        assertTrue(writer.waitFor(120, TimeUnit.SECONDS), "the writer did not finish");
        assertEquals(0, writer.exitValue(), "writer exit status (141 = SIGPIPE)");
        long last = Long.parseLong(new String(writer.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip());
        long bytes = 0;
        for (long n = 1; n <= last; n++) bytes += NumberedLines.line(n).length();

        var client = LogmonProtocol.client(logmon.client());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (client.stats("a1-web").stdout().bytesWritten() < bytes && System.nanoTime() < deadline) Thread.sleep(20);
        var stats = client.stats("a1-web").stdout();
        client.stop("a1-web");

        var files = indexes(logs, "web.stdout").stream().map(i -> logs.resolve("web.stdout." + i)).toList();
        var check = NumberedLines.check(files, last);
        System.out.printf("KillSafetyTest: %d kills (%d during a flood), %d lines (%d MiB) in %d files: %d as written, %d missing,"
                        + " %d repeated, %d garbled%n", KILLS, duringFloods, last, bytes >> 20, files.size(), check.good(),
                check.missing(), check.duplicated(), check.garbled());
        assertTrue(check.exact(last), "lines 1.." + last + " exactly once, in order: " + check);
        assertEquals(bytes, check.bytes(), "bytes in the files");
        assertEquals(last, stats.linesWritten(), "lines counted: " + stats);
        assertEquals(bytes, stats.bytesWritten(), "bytes counted: " + stats);
        assertEquals(0, stats.bytesDropped() + stats.linesDropped(), "dropped: " + stats);
    }

    /** A new logmon process given the session, as the agent's logmon watch does after a death. */
    private PluginConnection start(PluginLauncher launcher, LogConfig cfg) {
        var conn = launcher.launch(LogmonProtocol.PLUGIN_NAME);
        launched.add(conn);
        LogmonProtocol.client(conn.client()).start("a1-web", cfg);
        return conn;
    }
}
