package dev.drover.agent;

import dev.drover.agent.config.AgentConfig;
import dev.drover.agent.config.AgentConfigParser;
import dev.drover.agent.config.GcConfig;
import dev.drover.agent.jobspec.hcl.HclException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import dev.drover.sdk.fs.FileTrees;
import dev.drover.sdk.plugin.PluginPlacement;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code drover agent}: runs the agent in the foreground until SIGINT/SIGTERM. Flags override the
 * config file. Stopping the agent leaves its tasks running for the next agent to reattach (Nomad's
 * default), unless {@code -drain-on-stop} (or {@code client { drain_on_stop = true }}) asks to stop
 * them first. In {@code -dev} mode the data dir is temporary, raw_exec is enabled and stopping the
 * agent stops its tasks too (nothing could reattach to a deleted data dir).
 */
@Command(name = "agent", description = "Run a Drover agent", mixinStandardHelpOptions = true)
public final class AgentCommand implements Callable<Integer> {
    @Option(names = "-dev", description = "Development mode: temporary data dir, raw_exec enabled, API on 127.0.0.1:4646")
    boolean dev;

    @Option(names = "-config", paramLabel = "FILE", description = "Agent config file (HCL)")
    Path configFile;

    @Option(names = "-data-dir", paramLabel = "DIR", description = "Directory for state and allocations")
    Path dataDir;

    @Option(names = "-bind", paramLabel = "ADDR", description = "Address for the HTTP API and task ports (default 127.0.0.1)")
    String bind;

    @Option(names = "-http-port", paramLabel = "PORT", description = "HTTP API port (default 4646)")
    Integer httpPort;

    @Option(names = "-plugin-placement", paramLabel = "shared|per_task",
            description = "Run executor and logmon sessions in one shared plugin host (default) or a process per task")
    String placement;

    @Option(names = "-drain-on-stop",
            description = "On SIGINT/SIGTERM stop every task (kill_signal, kill_timeout) before exiting, instead of leaving them running")
    boolean drainOnStop;

    /** -dev without a data dir: ours to remove when the agent (which stops its tasks first) exits. */
    private boolean tempDataDir;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String[] args) {
        return new CommandLine(new AgentCommand()).setUnmatchedOptionsArePositionalParams(false).execute(args);
    }

    @Override
    public Integer call() throws Exception {
        AgentConfig config;
        try {
            config = buildConfig();
        } catch (IllegalArgumentException | HclException e) {
            System.err.println("Error loading agent config: " + e.getMessage());
            return 1;
        }
        var agent = Agent.start(config);
        System.out.println("==> Drover agent started! API: " + agent.address() + "  data dir: " + config.dataDir());
        var stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            boolean drain = config.dev() || config.drainOnStop();
            System.out.println("==> Caught signal, shutting down" + (config.dev() ? " (dev mode: stopping tasks)"
                    : drain ? " (draining: stopping tasks)" : " (tasks keep running)"));
            try {
                if (drain) agent.drain(drainTimeout(config));
                agent.close();
                if (tempDataDir) FileTrees.delete(config.dataDir());
            } catch (Exception e) {
                System.err.println("Error during shutdown: " + e.getMessage());
            }
            stopped.countDown();
        }));
        stopped.await();
        return 0;
    }

    /**
     * Long enough for every task's kill_timeout (capped) twice over plus a minute for shutdown delays and
     * poststop tasks; past it the agent exits anyway, leaving what still runs for the next agent.
     */
    static Duration drainTimeout(AgentConfig config) {
        return config.maxKillTimeout().multipliedBy(2).plusMinutes(1);
    }

    AgentConfig buildConfig() throws java.io.IOException {
        var file = configFile == null ? null : AgentConfigParser.load(configFile);
        Path data = dataDir != null ? dataDir : file != null && file.dataDir() != null ? Path.of(file.dataDir()) : null;
        if (data == null && dev) {
            data = Files.createTempDirectory("drover-dev-");
            tempDataDir = true;
        }
        if (data == null) throw new IllegalArgumentException("data_dir is required: use -data-dir, a config file's data_dir, or -dev");
        String bindAddr = bind != null ? bind : file != null && file.bindAddr() != null ? file.bindAddr() : "127.0.0.1";
        int port = httpPort != null ? httpPort : file != null && file.httpPort() != null ? file.httpPort() : AgentConfig.DEFAULT_HTTP_PORT;
        Map<String, Map<String, Object>> plugins = new HashMap<>(file == null ? Map.of() : file.plugins());
        if (dev) {
            var raw = new HashMap<String, Object>(plugins.getOrDefault("raw_exec", Map.of()));
            raw.put("enabled", true);
            plugins.put("raw_exec", raw);
        }
        Duration maxKill = file != null && file.maxKillTimeout() != null ? file.maxKillTimeout() : Duration.ofSeconds(30);
        String dc = file != null && file.datacenter() != null ? file.datacenter() : "dc1";
        String region = file != null && file.region() != null ? file.region() : "global";
        String name = file != null ? file.name() : null;
        String placementName = placement != null ? placement
                : file != null && file.placement() != null ? file.placement() : AgentConfig.DEFAULT_PLACEMENT.configName();
        var gcDefault = GcConfig.DEFAULT;
        var gc = file == null ? gcDefault : new GcConfig(
                file.gcInterval() != null ? file.gcInterval() : gcDefault.interval(),
                file.gcMaxAllocs() != null ? file.gcMaxAllocs() : gcDefault.maxAllocs(),
                file.gcAllocTtl() != null ? file.gcAllocTtl() : gcDefault.allocTtl());
        boolean drain = drainOnStop || (file != null && Boolean.TRUE.equals(file.drainOnStop()));
        return new AgentConfig(data.toAbsolutePath(), bindAddr, port, plugins, maxKill, dc, region, name, dev,
                PluginPlacement.parse(placementName),
                file != null && file.startParallelism() != null ? file.startParallelism() : AgentConfig.DEFAULT_START_PARALLELISM,
                drain, gc);
    }
}
