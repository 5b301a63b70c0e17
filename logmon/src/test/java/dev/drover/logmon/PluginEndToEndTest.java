package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.assertLines;
import static dev.drover.logmon.LogFiles.config;
import static dev.drover.logmon.LogFiles.indexes;
import static dev.drover.logmon.LogFiles.readAll;
import static dev.drover.logmon.LogFiles.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.logmon.LogConfig;
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

    private String pluginLog() throws java.io.IOException {
        try (var logs = Files.list(temp.resolve("state"))) {
            var sb = new StringBuilder();
            for (var log : logs.filter(p -> p.toString().endsWith(".log")).toList()) sb.append(Files.readString(log));
            return sb.toString();
        }
    }
}
