package dev.drover.agent;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.PortAllocator;
import dev.drover.agent.alloc.GarbageCollector;
import dev.drover.agent.api.ApiServer;
import dev.drover.agent.api.GcApi;
import dev.drover.agent.api.Routes;
import dev.drover.agent.config.AgentConfig;
import dev.drover.agent.driver.DriverRegistry;
import dev.drover.agent.metrics.HostStats;
import dev.drover.agent.metrics.MetricsCollector;
import dev.drover.agent.metrics.PluginCensus;
import dev.drover.agent.metrics.StatsSampler;
import dev.drover.agent.metrics.Telemetry;
import dev.drover.agent.state.StateStore;
import dev.drover.agent.state.StateStore.Bucket;
import dev.drover.sdk.env.NodeInfo;
import dev.drover.sdk.env.TaskEnv;
import dev.drover.sdk.plugin.PluginLauncher;
import dev.drover.sdk.plugin.PluginPool;
import dev.drover.sdk.proc.Reaper;
import java.net.InetAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * A running Drover agent: state store, drivers, allocations and the HTTP API. Closing it leaves the
 * tasks running (Nomad's default) so a later agent on the same data dir reattaches to them.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    private final AgentConfig config;
    private final StateStore state;
    private final DriverRegistry drivers;
    private final AllocManager allocs;
    private final ApiServer api;
    private final GarbageCollector gc;
    private final PluginPool plugins;
    private final Telemetry telemetry = new Telemetry();
    private final StatsSampler sampler;

    private Agent(AgentConfig config) throws Exception {
        this.config = config;
        // Plugins we start become orphans' parents of last resort only if we reap them.
        Reaper.startAsSubreaper();
        this.state = new StateStore(config.stateDir().resolve("state.db"));
        this.plugins = new PluginPool(new PluginLauncher(config.pluginDir()), config.placement());
        this.drivers = new DriverRegistry(DriverRegistry.BUILT_IN, config.plugins(), plugins, this::driverEvent,
                telemetry::driverMetrics);
        var node = nodeInfo(config, state);
        var services = new AgentServices(state, drivers, plugins, node, config.allocDir(), config.maxKillTimeout(),
                System.getenv(), TaskEnv.DEFAULT_DENYLIST, new java.util.concurrent.Semaphore(config.startParallelism()), telemetry,
                dev.drover.agent.task.CgroupLockWarmup.detect());
        this.allocs = new AllocManager(services, new PortAllocator(config.bindAddr()));
        allocs.restore();
        this.gc = new GarbageCollector(allocs, state, config.allocDir(), config.gc());
        gc.start();
        var census = new PluginCensus(config.pluginDir());
        this.sampler = new StatsSampler(allocs, StatsSampler.DEFAULT_INTERVAL, new HostStats.Reader(config.dataDir(), config.allocDir()), census);
        var metrics = new MetricsCollector(allocs, sampler, telemetry, census);
        sampler.start();
        var routes = Routes.build(allocs, drivers, node, telemetry, sampler, metrics);
        GcApi.register(routes, allocs, gc);
        this.api = new ApiServer(config.bindAddr(), config.httpPort(), routes, telemetry::apiRequest);
        api.start();
        LOG.info("Drover agent started: API on http://" + config.bindAddr() + ":" + api.port() + ", data dir " + config.dataDir());
    }

    public static Agent start(AgentConfig config) throws Exception {
        return new Agent(config);
    }

    public int httpPort() {
        return api.port();
    }

    public String address() {
        return "http://" + config.bindAddr() + ":" + api.port();
    }

    public AgentConfig config() {
        return config;
    }

    public AllocManager allocations() {
        return allocs;
    }

    /** A driver's event (e.g. image pull progress) becomes a "Driver" event of its task. */
    private void driverEvent(dev.drover.sdk.driver.TaskEvent event) {
        var allocations = allocs; // null while the agent is still being built
        if (allocations == null) return;
        try {
            allocations.allocation(event.allocId()).task(event.taskName()).driverEvent(event.message());
        } catch (RuntimeException e) {
            LOG.fine("driver event for a task we do not run (" + event.allocId() + "/" + event.taskName() + "): " + event.message());
        }
    }

    /** The node's identity is created once and kept in the state store, so ${node.unique.id} is stable. */
    private static NodeInfo nodeInfo(AgentConfig config, StateStore state) {
        String id = state.get(Bucket.NODE, "id", String.class).orElseGet(() -> {
            String fresh = UUID.randomUUID().toString();
            state.put(Bucket.NODE, "id", fresh);
            return fresh;
        });
        String hostname;
        try {
            hostname = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            hostname = "localhost";
        }
        String name = config.nodeName() == null || config.nodeName().isBlank() ? hostname : config.nodeName();
        var attrs = new LinkedHashMap<String, String>();
        attrs.put("kernel.name", "linux");
        attrs.put("kernel.version", System.getProperty("os.version"));
        attrs.put("cpu.arch", System.getProperty("os.arch"));
        attrs.put("cpu.numcores", Integer.toString(Runtime.getRuntime().availableProcessors()));
        attrs.put("unique.hostname", hostname);
        attrs.put("os.name", "linux");
        return new NodeInfo(id, name, config.datacenter(), config.region(), "", "default", attrs, Map.of());
    }

    /** Stops every allocation and waits (up to {@code timeout}) until their tasks are dead. */
    public void drain(java.time.Duration timeout) {
        var stops = allocs.allocations().stream().filter(r -> !r.terminal()).map(r -> r.stop("agent draining"))
                .toArray(java.util.concurrent.CompletableFuture[]::new);
        try {
            java.util.concurrent.CompletableFuture.allOf(stops).get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            LOG.warning("drain did not finish within " + timeout + ": " + e);
        }
    }

    /** Stops the API and leaves every task running for the next agent. */
    @Override
    public void close() throws Exception {
        telemetry.close(); // ends event streams, so the API can stop
        sampler.close();
        gc.close();
        api.close();
        allocs.detachAll();
        drivers.shutdown();
        if (allocs.allocations().stream().allMatch(r -> r.terminal())) {
            plugins.shutdownHosts(); // nothing left to supervise: a shared host need not wait for us
        } else {
            plugins.detachAll();
        }
        state.close();
    }
}
