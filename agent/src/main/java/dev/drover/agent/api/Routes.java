package dev.drover.agent.api;

import dev.drover.sdk.env.NodeInfo;
import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.driver.DriverRegistry;
import dev.drover.agent.metrics.MetricsCollector;
import dev.drover.agent.metrics.StatsSampler;
import dev.drover.agent.metrics.Telemetry;

/** Every API resource, registered in one place. */
public final class Routes {
    private Routes() {}

    public static Router build(AllocManager allocs, DriverRegistry drivers, NodeInfo node) {
        var router = new Router();
        new JobsApi(allocs).register(router);
        new AllocationsApi(allocs).register(router);
        new AgentApi(drivers, node).register(router);
        return router;
    }

    /** Every resource plus observability: metrics, stats and the event stream. */
    public static Router build(AllocManager allocs, DriverRegistry drivers, NodeInfo node, Telemetry telemetry,
                               StatsSampler sampler, MetricsCollector metrics) {
        var router = build(allocs, drivers, node);
        new MetricsApi(metrics).register(router);
        new StatsApi(allocs, sampler).register(router);
        new EventsApi(telemetry.events()).register(router);
        return router;
    }
}
