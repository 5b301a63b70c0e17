package dev.drover.sdk.plugin;

import dev.drover.sdk.proc.ProcessIdentity;

/**
 * What the agent persists to find a plugin process again after a restart: which plugin, which
 * exact process (pid + start time + boot id, never a bare pid) and the socket it serves on.
 */
public record PluginReattach(String name, ProcessIdentity process, String socket) {
    public PluginReattach {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("plugin name is required");
        if (process == null) throw new IllegalArgumentException("plugin process is required");
        if (socket == null || socket.isBlank()) throw new IllegalArgumentException("plugin socket is required");
    }
}
