package dev.drover.sdk.plugin;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/** What a hosted plugin may ask of the process it runs in. */
public interface PluginHost {
    /** Directory for the plugin's own files (sockets, logs); shared by all plugins of an agent. */
    Path stateDir();

    /** Ends the plugin process once the current call has been answered. */
    void exitSoon();

    /**
     * Tells the host how to see that this plugin supervises nothing (no session of any task, not
     * even an exited one waiting to be collected). A process whose plugins all say so, and to which
     * no client has been connected for a while, exits on its own: an agent that died while it
     * launched a plugin never recorded it, and nobody else would end it. A plugin that never calls
     * this keeps its process alive.
     */
    default void supervisesNothingWhen(BooleanSupplier idle) {}
}
