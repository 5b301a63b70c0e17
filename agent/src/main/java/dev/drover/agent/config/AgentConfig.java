package dev.drover.agent.config;

import dev.drover.sdk.plugin.PluginPlacement;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The agent's configuration (a subset of Nomad's agent config).
 *
 * @param dataDir        state and alloc dirs live here
 * @param bindAddr       address of the HTTP API and of allocated ports
 * @param httpPort       API port (Nomad's 4646)
 * @param plugins        {@code plugin "<driver>" { config { … } }} blocks by driver name; the client's
 *                       {@code chroot_env} arrives here as the exec and java drivers' {@code chroot_env}
 * @param maxKillTimeout cap on tasks' kill_timeout (Nomad's client max_kill_timeout)
 * @param dev            dev mode: temporary data dir, raw_exec enabled
 * @param placement      where plugin sessions run: a process per task, or one shared host
 * @param startParallelism how many tasks may be in prestart/StartTask at once
 * @param drainOnStop    stopping the agent stops every task first (kill_signal, kill_timeout), instead of
 *                       leaving them running for the next agent
 * @param gc             garbage collection of terminal allocations
 */
public record AgentConfig(Path dataDir, String bindAddr, int httpPort, Map<String, Map<String, Object>> plugins,
                          Duration maxKillTimeout, String datacenter, String region, String nodeName, boolean dev,
                          PluginPlacement placement, int startParallelism, boolean drainOnStop, GcConfig gc) {
    public static final int DEFAULT_HTTP_PORT = 4646;
    /** Starts are mostly waiting on small syscalls and fsyncs, so more than the core count pays. */
    public static final int DEFAULT_START_PARALLELISM = 16;
    /** See docs/performance.md for the measurements behind this default. */
    public static final PluginPlacement DEFAULT_PLACEMENT = PluginPlacement.SHARED;

    public AgentConfig {
        if (dataDir == null) throw new IllegalArgumentException("data_dir is required (or run with -dev)");
        if (httpPort < 0 || httpPort > 65535) throw new IllegalArgumentException("ports.http must be 0-65535, got " + httpPort);
        plugins = Map.copyOf(plugins);
        if (placement == null) throw new IllegalArgumentException("plugin_placement is required");
        if (startParallelism < 1) throw new IllegalArgumentException("client.start_parallelism must be at least 1, got " + startParallelism);
        if (gc == null) throw new IllegalArgumentException("gc is required");
    }

    /** Without the stop mode and GC settings: tasks are left running on stop, GC has Nomad's defaults. */
    public AgentConfig(Path dataDir, String bindAddr, int httpPort, Map<String, Map<String, Object>> plugins,
                       Duration maxKillTimeout, String datacenter, String region, String nodeName, boolean dev,
                       PluginPlacement placement, int startParallelism) {
        this(dataDir, bindAddr, httpPort, plugins, maxKillTimeout, datacenter, region, nodeName, dev, placement,
                startParallelism, false, GcConfig.DEFAULT);
    }

    public AgentConfig withMaxKillTimeout(Duration timeout) {
        return new AgentConfig(dataDir, bindAddr, httpPort, plugins, timeout, datacenter, region, nodeName, dev, placement,
                startParallelism, drainOnStop, gc);
    }

    public AgentConfig withDrainOnStop(boolean drain) {
        return new AgentConfig(dataDir, bindAddr, httpPort, plugins, maxKillTimeout, datacenter, region, nodeName, dev, placement,
                startParallelism, drain, gc);
    }

    public AgentConfig withGc(GcConfig newGc) {
        return new AgentConfig(dataDir, bindAddr, httpPort, plugins, maxKillTimeout, datacenter, region, nodeName, dev, placement,
                startParallelism, drainOnStop, newGc);
    }

    public Path stateDir() {
        return dataDir.resolve("client");
    }

    public Path allocDir() {
        return dataDir.resolve("alloc");
    }

    public Path pluginDir() {
        return dataDir.resolve("plugins");
    }
}
