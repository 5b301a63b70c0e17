package dev.drover.agent;

import dev.drover.agent.driver.DriverRegistry;
import dev.drover.agent.metrics.Telemetry;
import dev.drover.agent.state.StateStore;
import dev.drover.agent.task.CgroupLockWarmup;
import dev.drover.sdk.env.NodeInfo;
import dev.drover.sdk.plugin.PluginPool;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The agent-wide things every alloc and task runner uses, handed down in one value.
 *
 * @param allocRoot      where alloc dirs live ({@code <data_dir>/alloc})
 * @param maxKillTimeout upper bound for any task's kill_timeout
 * @param starts         bounds how many tasks are in prestart/StartTask at once
 * @param hostEnv        the agent's environment, passed to non-image tasks minus {@code envDenylist}
 * @param telemetry      where task events, allocation updates and start timings are reported
 * @param lockWarmup     started as each task's start attempt begins (see {@link CgroupLockWarmup})
 */
public record AgentServices(StateStore state, DriverRegistry drivers, PluginPool plugins, NodeInfo node,
                            Path allocRoot, Duration maxKillTimeout, Map<String, String> hostEnv,
                            Set<String> envDenylist, java.util.concurrent.Semaphore starts, Telemetry telemetry,
                            CgroupLockWarmup lockWarmup) {

    /** Without an agent's telemetry: events and counters go to a private, unread one. */
    public AgentServices(StateStore state, DriverRegistry drivers, PluginPool plugins, NodeInfo node,
                         Path allocRoot, Duration maxKillTimeout, Map<String, String> hostEnv,
                         Set<String> envDenylist, java.util.concurrent.Semaphore starts) {
        this(state, drivers, plugins, node, allocRoot, maxKillTimeout, hostEnv, envDenylist, starts, new Telemetry(),
                CgroupLockWarmup.OFF);
    }
}
