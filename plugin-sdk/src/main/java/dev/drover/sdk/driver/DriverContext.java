package dev.drover.sdk.driver;

import dev.drover.sdk.plugin.PluginLauncher;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the agent hands a driver when it creates it.
 *
 * @param pluginConfig the {@code plugin "<name>" { config { … } }} block of the agent config
 * @param plugins      starts and reattaches plugin processes (executor, logmon, …)
 * @param events       where driver-originated task events go
 */
public record DriverContext(Map<String, Object> pluginConfig, PluginLauncher plugins, Consumer<TaskEvent> events) {
    public DriverContext {
        pluginConfig = Map.copyOf(pluginConfig);
    }
}
