package dev.drover.sdk.plugin;

import java.util.Locale;

/**
 * Where plugin sessions run. Both use the same RPC and the same reattach records; only the number
 * of processes differs.
 */
public enum PluginPlacement {
    /** One executor and one logmon process per task, as Nomad does: a crash touches one task. */
    PER_TASK,
    /** One plugin host process per agent serving every task's executor and logmon sessions. */
    SHARED;

    /** The config spelling: "per_task" or "shared". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static PluginPlacement parse(String value) {
        for (var p : values()) {
            if (p.configName().equals(value)) return p;
        }
        throw new IllegalArgumentException("plugin_placement must be \"shared\" or \"per_task\", got \"" + value + "\"");
    }
}
