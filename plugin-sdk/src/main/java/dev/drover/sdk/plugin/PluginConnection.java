package dev.drover.sdk.plugin;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcClient;
import java.nio.file.Files;
import java.nio.file.Path;

/** A live plugin process and our connection to it. */
public final class PluginConnection implements AutoCloseable {
    private final PluginReattach reattach;
    private final RpcClient client;
    private final Process process; // null when reattached: not our child any more

    PluginConnection(PluginReattach reattach, RpcClient client, Process process) {
        this.reattach = reattach;
        this.client = client;
        this.process = process;
    }

    public PluginReattach reattach() {
        return reattach;
    }

    public RpcClient client() {
        return client;
    }

    public boolean isAlive() {
        return client.isOpen() && reattach.process().isAlive();
    }

    /** Asks the plugin to exit, then makes sure it did (SIGKILL after the grace). */
    public void shutdown(long graceMillis) {
        try {
            client.call(PluginProtocol.SHUTDOWN, "", Empty.INSTANCE);
        } catch (RuntimeException e) {
            // Already gone or unresponsive: the kill below settles it.
        }
        if (!reattach.process().awaitExit(graceMillis)) {
            reattach.process().signal(Native.SIGKILL);
            reattach.process().awaitExit(5_000);
        }
        close();
        reap();
    }

    /** Kills the plugin process at once. */
    public void kill() {
        reattach.process().signal(Native.SIGKILL);
        reattach.process().awaitExit(5_000);
        close();
        reap();
    }

    private void reap() {
        if (process != null) {
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Reaper.disown(process.pid());
        }
        try {
            Files.deleteIfExists(Path.of(reattach.socket()));
        } catch (java.io.IOException ignored) {
            // best effort: a stale socket file is replaced on the next bind
        }
    }

    @Override
    public void close() {
        client.close();
    }
}
