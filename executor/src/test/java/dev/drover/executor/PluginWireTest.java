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
}
