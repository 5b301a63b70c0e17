package dev.drover.sdk.driver;

import dev.drover.sdk.plugin.PluginPool;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the agent hands a driver when it creates it.
 *
 * @param pluginConfig the {@code plugin "<name>" { config { … } }} block of the agent config
 * @param plugins      leases plugin sessions (executor, logmon, …) per the agent's placement policy
 * @param events       where driver-originated task events go
 */
public record DriverContext(Map<String, Object> pluginConfig, PluginPool plugins, Consumer<TaskEvent> events) {
    public DriverContext {
        pluginConfig = Map.copyOf(pluginConfig);
    }
}
