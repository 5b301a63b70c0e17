package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.executor.ExecutorClient;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.plugin.PluginLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The executor as a real plugin process, driven through {@link ExecutorClient}. */
@Timeout(90)
class PluginWireTest {
    @TempDir Path temp;

    @Test
    void runsATaskThroughThePluginProcess() throws Exception {
        var conn = new PluginLauncher(temp.resolve("plugins")).launch(ExecutorProtocol.PLUGIN_NAME);
        int pluginPid = conn.reattach().process().pid();
        try {
            var executor = new ExecutorClient(conn.client());
            assertEquals(ExecutorProtocol.VERSION, executor.version());
            var task = new TaskFixture(temp);

            var started = executor.launch("wire", task.sh("echo over the wire; exit 5"));
            assertTrue(started.pid() > 0);
            var exit = executor.await("wire");
            assertEquals(5, exit.exitCode());
            assertEquals(started.pid(), exit.pid());
            assertEquals("over the wire\n", task.stdout.awaitEof(Duration.ofSeconds(10)));

            var result = executor.exec("wire", 5_000, "/bin/echo", List.of("exec", "ok"));
            assertEquals("exec ok\n", new String(result.output(), StandardCharsets.UTF_8));
            assertTrue(executor.stats("wire").timestampNanos() > 0);
            executor.destroy("wire");
            // the plugin wire is encoded without Jackson: ~1,000 classes and ~5 MiB less per plugin JVM
            var classes = loadedClasses(pluginPid);
            assertTrue(classes.contains("dev.drover.sdk.rpc.Json"), "jcmd lists the plugin's classes");
            assertFalse(classes.contains("tools.jackson") || classes.contains("com.fasterxml"), "the executor plugin loaded Jackson");

            var missing = assertThrows(DroverException.class, () -> executor.await("wire"));
            assertEquals(DroverException.Kind.NOT_FOUND, missing.kind());
            var invalid = assertThrows(DroverException.class, () -> executor.launch("bad", task.command("no-such-binary-xyz")));
            assertEquals(DroverException.Kind.INVALID_CONFIG, invalid.kind());
            assertTrue(invalid.getMessage().startsWith("failed to launch \"no-such-binary-xyz\""), invalid.getMessage());
        } finally {
            conn.shutdown(5_000);
        }
        long deadline = System.currentTimeMillis() + 5_000;
        while (Files.exists(Path.of("/proc", Integer.toString(pluginPid))) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        assertFalse(Files.exists(Path.of("/proc", Integer.toString(pluginPid))), "plugin process " + pluginPid + " is gone");
    }

    /** {@code jcmd PID VM.classes} of the JDK running this test. */
    private static String loadedClasses(int pid) throws Exception {
        var jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        assertTrue(Files.isExecutable(jcmd), "prerequisite missing: " + jcmd + " (a full JDK, not a JRE)");
        var process = new ProcessBuilder(jcmd.toString(), Integer.toString(pid), "VM.classes").redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), out);
        return out;
    }
}
