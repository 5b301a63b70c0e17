package dev.drover.agent.driver;

import dev.drover.drivers.docker.DockerDriverFactory;
import dev.drover.drivers.exec.ExecDriverFactory;
import dev.drover.drivers.java.JavaDriverFactory;
import dev.drover.drivers.mock.MockDriverFactory;
import dev.drover.drivers.rawexec.RawExecDriverFactory;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.TaskDriver;
import dev.drover.sdk.driver.TaskEvent;
import dev.drover.sdk.metrics.DriverMetrics;
import dev.drover.sdk.plugin.PluginPool;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Function;

/** The drivers this agent offers, created once at start with their plugin config. */
public final class DriverRegistry {
    /**
     * Every built-in driver, in one readable place. exec and java are on by default (Nomad's
     * choice; they report unhealthy where they cannot sandbox); raw_exec needs {@code enabled = true};
     * docker is undetected until its engine answers.
     */
    public static final List<DriverFactory> BUILT_IN = List.of(new RawExecDriverFactory(), new ExecDriverFactory(),
            new JavaDriverFactory(), new DockerDriverFactory(), new MockDriverFactory());

    private final Map<String, TaskDriver> drivers = new LinkedHashMap<>();

    public DriverRegistry(List<DriverFactory> factories, Map<String, Map<String, Object>> pluginConfigs,
                          PluginPool plugins, Consumer<TaskEvent> events) {
        this(factories, pluginConfigs, plugins, events, driver -> DriverMetrics.NONE);
    }

    /** @param metrics what each driver (by name) reports its own per-task figures through */
    public DriverRegistry(List<DriverFactory> factories, Map<String, Map<String, Object>> pluginConfigs,
                          PluginPool plugins, Consumer<TaskEvent> events, Function<String, DriverMetrics> metrics) {
        for (var factory : factories) {
            var config = pluginConfigs.getOrDefault(factory.name(), Map.of());
            drivers.put(factory.name(), factory.create(new DriverContext(config, plugins, events, metrics.apply(factory.name()))));
        }
        for (String name : pluginConfigs.keySet()) {
            if (!drivers.containsKey(name)) {
                throw DroverException.invalid("plugin \"" + name + "\": no such driver; available: " + String.join(", ", drivers.keySet()));
            }
        }
    }

    /** The driver by name, if it exists and is healthy; errors say why not. */
    public TaskDriver require(String name) {
        var driver = drivers.get(name);
        if (driver == null) {
            throw DroverException.invalid("unknown driver \"" + name + "\"; available: " + String.join(", ", new TreeSet<>(drivers.keySet())));
        }
        var fp = driver.fingerprint();
        if (fp.health() != Fingerprint.Health.HEALTHY) {
            // e.g. driver "exec" is not usable on this node (unhealthy): crun unusable: ...
            throw DroverException.invalid("driver \"" + name + "\" is not usable on this node ("
                    + fp.health().name().toLowerCase(java.util.Locale.ROOT) + "): " + fp.healthDescription());
        }
        return driver;
    }

    public Map<String, TaskDriver> all() {
        return Map.copyOf(drivers);
    }

    public void shutdown() {
        drivers.values().forEach(TaskDriver::shutdown);
    }
}
