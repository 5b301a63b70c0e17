package dev.drover.agent.api;

import dev.drover.sdk.env.NodeInfo;
import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.driver.DriverRegistry;

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
}
