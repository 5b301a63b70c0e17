package dev.drover.sdk.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A plugin process nobody would end — its agent died while launching it, before recording it —
 * exits on its own once it supervises nothing and no client is connected; one with a session, or
 * with a client, stays.
 */
class PluginIdleExitTest {
    @TempDir
    Path dir;

    private PluginLauncher launcher() {
        var options = new ArrayList<>(PluginJvmCacheTest.OPTIONS);
        options.add("-D" + PluginMain.IDLE_EXIT_PROPERTY + "=1");
        return new PluginLauncher(dir.resolve("state"), null, dev.drover.sdk.plugin.jvm.ClassDataCache.Kind.configured(),
                System.getProperty("java.class.path"), options);
    }

    private static boolean alive(PluginReattach r) {
        return r.process().isAlive();
    }

    @Test
    void anUnrecordedPluginWithNothingToSuperviseExitsOnceItsClientIsGone() throws Exception {
        var conn = launcher().launch(EchoPlugin.NAME);
        var reattach = conn.reattach();
        Thread.sleep(2_500);
        assertTrue(alive(reattach), "a connected client keeps it, sessions or not");
        conn.close(); // the agent is gone
        assertTrue(reattach.process().awaitExit(10_000), "exits on its own once idle with no client");
    }

    @Test
    void aPluginWithASessionOutlivesItsClient() throws Exception {
        var launcher = launcher();
        var conn = launcher.launch(EchoPlugin.NAME);
        var reattach = conn.reattach();
        try {
            assertEquals("held", conn.client().call(EchoPlugin.HOLD, "", new EchoPlugin.Text("task-1")).text());
            conn.close(); // the agent is gone, the task lives on
            Thread.sleep(3_000);
            assertTrue(alive(reattach), "a plugin that supervises something waits for the next agent");
            var again = launcher.reattach(reattach);
            assertEquals("released", again.client().call(EchoPlugin.RELEASE, "", new EchoPlugin.Text("task-1")).text());
            again.close();
            assertTrue(reattach.process().awaitExit(10_000), "exits once it supervises nothing and the client left");
        } finally {
            if (alive(reattach)) reattach.process().signal(dev.drover.sdk.nativ.Native.SIGKILL);
        }
        assertFalse(alive(reattach));
    }
}
