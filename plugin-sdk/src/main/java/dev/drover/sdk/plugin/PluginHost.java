package dev.drover.sdk.plugin;

import java.nio.file.Path;

/** What a hosted plugin may ask of the process it runs in. */
public interface PluginHost {
    /** Directory for the plugin's own files (sockets, logs); shared by all plugins of an agent. */
    Path stateDir();

    /** Ends the plugin process once the current call has been answered. */
    void exitSoon();
}
