package dev.drover.sdk.plugin;

import dev.drover.sdk.DroverException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * Hands out plugin leases according to the placement policy. In {@code shared} placement one
 * host process runs every plugin in {@link #HOSTED} (started as {@code PluginMain executor,logmon
 * <socket>}), is started on first use, reattached after an agent restart, and relaunched if it
 * died.
 */
public final class PluginPool {
    private static final Logger LOG = Logger.getLogger(PluginPool.class.getName());
    /** The plugins a shared host serves, in its name ("executor,logmon"). */
    public static final List<String> HOSTED = List.of("executor", "logmon");
    public static final String HOST_NAME = String.join(",", HOSTED);
    private static final long EXIT_GRACE_MILLIS = 2_000;

    private final PluginLauncher launcher;
    private final PluginPlacement placement;
    /** Live connections to shared hosts by socket path: one connection serves all their leases. */
    private final Map<String, PluginConnection> hosts = new HashMap<>();
    private PluginConnection current;
    /**
     * How to set each task's sessions up again on a replacement host, per plugin. Logmon sessions
     * are restored before executor sessions so the fifos have a reader before tasks are adopted.
     */
    private final Map<String, Map<String, SessionRestorer>> restorers = new java.util.concurrent.ConcurrentHashMap<>();

    /** Re-creates one task's session on a new host process. */
    @FunctionalInterface
    public interface SessionRestorer {
        void restore(dev.drover.sdk.rpc.RpcClient host);
    }

    public PluginPool(PluginLauncher launcher, PluginPlacement placement) {
        this.launcher = launcher;
        this.placement = placement;
    }

    public PluginPlacement placement() {
        return placement;
    }

    public PluginLauncher launcher() {
        return launcher;
    }

    /** A lease on a plugin serving {@code name} for one task. */
    public PluginLease acquire(String name) {
        if (placement == PluginPlacement.PER_TASK || !HOSTED.contains(name)) {
            return new OwnLease(launcher.launch(name));
        }
        return new SharedLease(sharedHost());
    }

    private synchronized PluginConnection sharedHost() {
        if (current == null) current = recordedHost();
        if (current == null || !current.isAlive()) {
            if (current != null) {
                LOG.warning("shared plugin host (pid " + current.reattach().process().pid() + ") is gone; starting a new one");
                hosts.remove(current.reattach().socket());
            }
            boolean replacing = current != null;
            current = launcher.launch(HOST_NAME);
            hosts.put(current.reattach().socket(), current);
            recordHost(current.reattach());
            if (replacing) restoreSessions(current);
        }
        return current;
    }

    /**
     * Where the current shared host is recorded. Task handles name the host that started them; once
     * a replacement host has adopted them that one is dead, and an agent restarting must find the
     * replacement here rather than start a third host beside it.
     */
    private java.nio.file.Path hostRecord() {
        return launcher.stateDir().resolve("shared-host.json");
    }

    private void recordHost(PluginReattach host) {
        try {
            var file = hostRecord();
            var tmp = file.resolveSibling(file.getFileName() + ".tmp");
            java.nio.file.Files.createDirectories(file.getParent());
            java.nio.file.Files.writeString(tmp, dev.drover.sdk.rpc.Wire.JSON.writeValueAsString(host));
            java.nio.file.Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (java.io.IOException | RuntimeException e) {
            LOG.warning("could not record the shared plugin host: " + e.getMessage());
        }
    }

    /** The host an earlier agent recorded, if that very process still answers; else null. */
    private PluginConnection recordedHost() {
        var file = hostRecord();
        if (!java.nio.file.Files.exists(file)) return null;
        try {
            var recorded = dev.drover.sdk.rpc.Wire.JSON.readValue(java.nio.file.Files.readString(file), PluginReattach.class);
            var known = hosts.get(recorded.socket());
            if (known != null && known.isAlive()) return known;
            var connection = launcher.reattach(recorded);
            hosts.put(recorded.socket(), connection);
            return connection;
        } catch (java.io.IOException | RuntimeException e) {
            LOG.info("the recorded shared plugin host cannot be reattached: " + e.getMessage());
            return null;
        }
    }

    /** Remembers how to restore a task's session should its shared host die (shared placement only). */
    public void remember(String plugin, String session, SessionRestorer restorer) {
        if (placement != PluginPlacement.SHARED) return;
        restorers.computeIfAbsent(plugin, p -> new java.util.concurrent.ConcurrentHashMap<>()).put(session, restorer);
    }

    public void forget(String plugin, String session) {
        var byPlugin = restorers.get(plugin);
        if (byPlugin != null) byPlugin.remove(session);
    }

    private void restoreSessions(PluginConnection host) {
        for (String plugin : List.of("logmon", "executor")) {
            restorers.getOrDefault(plugin, Map.of()).forEach((session, restorer) -> {
                try {
                    restorer.restore(host.client());
                } catch (RuntimeException e) {
                    LOG.warning("could not restore " + plugin + " session " + session + " on the new host: " + e.getMessage());
                }
            });
        }
    }


    /** Finds a recorded plugin again; a shared host is connected to once for all its tasks. */
    public PluginLease reattach(PluginReattach recorded) {
        if (!recorded.name().equals(HOST_NAME)) return new OwnLease(launcher.reattach(recorded));
        synchronized (this) {
            var known = hosts.get(recorded.socket());
            if (known != null && known.isAlive()) return new SharedLease(known);
            var connection = launcher.reattach(recorded);
            hosts.put(recorded.socket(), connection);
            if (placement == PluginPlacement.SHARED && (current == null || !current.isAlive())) current = connection;
            return new SharedLease(connection);
        }
    }

    /** Agent shutdown: connections close, every plugin process keeps running. */
    public synchronized void detachAll() {
        hosts.values().forEach(PluginConnection::close);
        hosts.clear();
        current = null;
    }

    /** Agent shutdown with nothing left to supervise: shared hosts exit too. */
    public synchronized void shutdownHosts() {
        hosts.values().forEach(h -> h.shutdown(EXIT_GRACE_MILLIS));
        try {
            java.nio.file.Files.deleteIfExists(hostRecord());
        } catch (java.io.IOException e) {
            LOG.fine("could not remove the shared host record: " + e.getMessage());
        }
        hosts.clear();
        current = null;
    }

    private record OwnLease(PluginConnection connection) implements PluginLease {
        @Override
        public dev.drover.sdk.rpc.RpcClient client() {
            return connection.client();
        }

        @Override
        public PluginReattach reattach() {
            return connection.reattach();
        }

        @Override
        public boolean isAlive() {
            return connection.isAlive();
        }

        @Override
        public void release() {
            connection.shutdown(EXIT_GRACE_MILLIS);
        }

        @Override
        public void detach() {
            connection.close();
        }
    }

    private record SharedLease(PluginConnection host) implements PluginLease {
        @Override
        public dev.drover.sdk.rpc.RpcClient client() {
            if (!host.client().isOpen()) throw DroverException.unavailable("shared plugin host connection is closed", null);
            return host.client();
        }

        @Override
        public PluginReattach reattach() {
            return host.reattach();
        }

        @Override
        public boolean isAlive() {
            return host.isAlive();
        }

        @Override
        public void release() {
            // The host serves other tasks; the caller already ended this task's session by RPC.
        }

        @Override
        public void detach() {
            // The pool closes the shared connection once, on detachAll.
        }
    }
}
