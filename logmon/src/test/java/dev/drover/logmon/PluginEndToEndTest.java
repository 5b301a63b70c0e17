package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.assertLines;
import static dev.drover.logmon.LogFiles.config;
import static dev.drover.logmon.LogFiles.indexes;
import static dev.drover.logmon.LogFiles.readAll;
import static dev.drover.logmon.LogFiles.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginConnection;
import dev.drover.sdk.plugin.PluginLauncher;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real plugin process, started from the test classpath, driven over its socket. */
@Timeout(120)
class PluginEndToEndTest {
    @TempDir
    Path temp;

    @org.junit.jupiter.api.AfterEach
    void killLeftovers() {
        LogFiles.killLeftovers();
    }

    @Test
    void copiesThroughThePluginProcessAndExitsOnShutdown() throws Exception {
        PluginConnection conn = new PluginLauncher(temp.resolve("state")).launch(LogmonProtocol.PLUGIN_NAME);
        int pid = conn.reattach().process().pid();
        try {
            var logmon = LogmonProtocol.client(conn.client());
            LogConfig cfg = config(temp, "web", 10, 1);
            logmon.start("a1-web", cfg);
            logmon.start("a1-web", cfg); // idempotent over the wire too
            var out = sh("for i in $(seq 1 100000); do echo line $i; done > " + cfg.stdoutFifo());
            var err = sh("echo oops > " + cfg.stderrFifo());
            assertEquals(0, out.waitFor());
            assertEquals(0, err.waitFor());
            logmon.stop("a1-web");

            Path logs = Path.of(cfg.logDir());
            assertLines(readAll(logs, "web.stdout"), "line ", 1, 100000); // ~1.1 MB: two 1 MiB files
            assertEquals(2, indexes(logs, "web.stdout").size());
            assertEquals("oops\n", readAll(logs, "web.stderr"));
        } finally {
            conn.shutdown(5_000);
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "plugin process " + pid + " is gone");
    }

    @Test
    void shutdownWithoutStopStillFlushesEverything() throws Exception {
        PluginConnection conn = new PluginLauncher(temp.resolve("state")).launch(LogmonProtocol.PLUGIN_NAME);
        int pid = conn.reattach().process().pid();
        LogConfig cfg = config(temp, "api", 10, 1);
        try {
            LogmonProtocol.client(conn.client()).start("a1-api", cfg);
            var out = sh("for i in $(seq 1 20000); do echo line $i; done > " + cfg.stdoutFifo()
                    + "; printf 'no newline' > " + cfg.stdoutFifo());
            assertEquals(0, out.waitFor());
        } finally {
            conn.shutdown(5_000); // the plugin's shutdown hook drains and closes the session
        }
        assertFalse(Files.exists(Path.of("/proc/" + pid)), "plugin process " + pid + " is gone");
        assertTrue(pluginLog().contains("logmon: exiting; stopped and flushed sessions [a1-api]"), "the shutdown hook stopped the session:\n" + pluginLog());
        String all = readAll(Path.of(cfg.logDir()), "api.stdout");
        assertTrue(all.endsWith("line 20000\nno newline"), "tail: " + all.substring(Math.max(0, all.length() - 40)));
        assertLines(all.substring(0, all.length() - "no newline".length()), "line ", 1, 20000);
    }

    /** Throughput as deployed: the plugin JVM runs with its lean options (C1 only, 64 MiB heap). */
    @Test
    void measuresThroughputThroughThePlugin() throws Exception {
        PluginConnection conn = new PluginLauncher(temp.resolve("state")).launch(LogmonProtocol.PLUGIN_NAME);
        try {
            var logmon = LogmonProtocol.client(conn.client());
            LogConfig cfg = config(temp, "bulk", 3, 8);
            logmon.start("a1-bulk", cfg);
            long total = 256L << 20;
            long t0 = System.nanoTime();
            var writer = sh("yes 'a log line of some eighty characters, like the ones real services print..' | head -c "
                    + total + " > " + cfg.stdoutFifo());
            assertEquals(0, writer.waitFor());
            logmon.stop("a1-bulk"); // returns once everything written is copied
            double seconds = (System.nanoTime() - t0) / 1e9;
            System.out.printf("logmon plugin end-to-end copy: %d MiB in %.2f s = %.0f MiB/s%n", total >> 20, seconds, (total >> 20) / seconds);
            Path logs = Path.of(cfg.logDir());
            var files = indexes(logs, "bulk.stdout");
            assertEquals(3, files.size());
            long kept = 0;
            for (int i : files) kept += Files.size(logs.resolve("bulk.stdout." + i));
            assertTrue(pluginLog().contains("logmon a1-bulk: stopped; this copy moved " + total + " bytes"), pluginLog());
            assertTrue(kept > 16L << 20, "kept " + kept);
        } finally {
            conn.shutdown(5_000);
        }
    }

    /**
     * The counters travel over the wire field by field, and outlive the logmon process: one that
     * is killed (-9) and replaced by a new one starting the same session resumes them exactly.
     * The log dir is a small tmpfs, so the dropped counters are not zero either.
     */
    @Test
    void countersTravelOverTheWireAndSurviveAKilledLogmon() throws Exception {
        var launcher = new PluginLauncher(temp.resolve("state"));
        LogConfig cfg = config(temp, "web", 50, 1);
        Path logs = Path.of(cfg.logDir());
        try (var disk = TinyDisk.mount(logs, 256)) {
            PluginConnection first = launcher.launch(LogmonProtocol.PLUGIN_NAME);
            var logmon = LogmonProtocol.client(first.client());
            logmon.start("a1-web", cfg);
            // stderr first, while there is room; then stdout fills the disk up: 588,895 bytes onto 256 KiB.
            assertEquals(0, sh("for i in $(seq 1 300); do echo err $i; done > " + cfg.stderrFifo()).waitFor());
            LogFiles.await("stderr written", 10_000, () -> logmon.stats("a1-web").stderr().linesWritten() == 300);
            assertEquals(0, sh("seq 1 100000 > " + cfg.stdoutFifo()).waitFor());
            LogFiles.await("every byte accounted for", 20_000, () -> {
                var s = logmon.stats("a1-web");
                return s.stdout().bytesWritten() + s.stdout().bytesDropped() == 588_895 && s.stderr().linesWritten() == 300;
            });
            var before = logmon.stats("a1-web");
            long[] kept = LogCountsTest.inFiles(logs, "web.stdout");
            assertEquals(new LogStats.Stream(kept[0], kept[1], 588_895 - kept[0], 100_000 - kept[1]), before.stdout());
            assertTrue(before.stdout().linesDropped() > 0 && before.stdout().linesWritten() > 0, before.toString());
            long stderrBytes = LogCountsTest.inFiles(logs, "web.stderr")[0];
            assertEquals(new LogStats.Stream(stderrBytes, 300, 0, 0), before.stderr());
            var missing = assertThrows(DroverException.class, () -> logmon.stats("no-such-session"));
            assertEquals(DroverException.Kind.NOT_FOUND, missing.kind());

            int pid = first.reattach().process().pid();
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            LogFiles.await("logmon " + pid + " gone", 10_000, () -> !Files.exists(Path.of("/proc/" + pid)));

            PluginConnection second = launcher.launch(LogmonProtocol.PLUGIN_NAME);
            try {
                var next = LogmonProtocol.client(second.client());
                next.start("a1-web", cfg);
                // Written counts come back exactly (checkpoint + what the files hold beyond it);
                // drops since the dead logmon's last checkpoint died with it.
                var after = next.stats("a1-web");
                assertEquals(before.stdout().bytesWritten(), after.stdout().bytesWritten());
                assertEquals(before.stdout().linesWritten(), after.stdout().linesWritten());
                assertEquals(before.stderr(), after.stderr());
                assertTrue(after.stdout().bytesDropped() <= before.stdout().bytesDropped(), after.toString());
                // Counting, checkpoints and stats travel without Jackson (the plugin wire does).
                String classes = loadedClasses(second.reattach().process().pid());
                assertTrue(classes.contains("dev.drover.logmon.LogCounts"), "jcmd lists the plugin's classes");
                assertFalse(classes.contains("tools.jackson") || classes.contains("com.fasterxml"), "the logmon plugin loaded Jackson");
                next.stop("a1-web");
            } finally {
                second.shutdown(5_000);
            }
        }
    }

    /** {@code jcmd PID VM.classes} of the JDK running this test. */
    private static String loadedClasses(int pid) throws Exception {
        var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertTrue(Files.isExecutable(jcmd), "prerequisite missing: " + jcmd + " (a full JDK, not a JRE)");
        var process = new ProcessBuilder(jcmd.toString(), Integer.toString(pid), "VM.classes").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        return out;
    }

    private String pluginLog() throws java.io.IOException {
        try (var logs = Files.list(temp.resolve("state"))) {
            var sb = new StringBuilder();
            for (var log : logs.filter(p -> p.toString().endsWith(".log")).toList()) sb.append(Files.readString(log));
            return sb.toString();
        }
    }
}
