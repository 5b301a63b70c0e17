package dev.drover.sdk.driver;

import dev.drover.sdk.metrics.DriverMetrics;
import dev.drover.sdk.plugin.PluginPool;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the agent hands a driver when it creates it.
 *
 * @param pluginConfig the {@code plugin "<name>" { config { … } }} block of the agent config
 * @param plugins      leases plugin sessions (executor, logmon, …) per the agent's placement policy
 * @param events       where driver-originated task events go
 * @param metrics      where the driver's own per-task figures go, tagged with {@link TaskConfig#identity()}
 */
public record DriverContext(Map<String, Object> pluginConfig, PluginPool plugins, Consumer<TaskEvent> events,
                            DriverMetrics metrics) {
    public DriverContext {
        pluginConfig = Map.copyOf(pluginConfig);
        metrics = metrics == null ? DriverMetrics.NONE : metrics;
    }

    /** A context whose metrics go nowhere (drivers run outside an agent). */
    public DriverContext(Map<String, Object> pluginConfig, PluginPool plugins, Consumer<TaskEvent> events) {
        this(pluginConfig, plugins, events, DriverMetrics.NONE);
    }
}
