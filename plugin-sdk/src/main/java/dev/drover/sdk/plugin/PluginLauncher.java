package dev.drover.sdk.plugin;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.plugin.jvm.ClassDataCache;
import dev.drover.sdk.proc.ProcessIdentity;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcClient;
import dev.drover.sdk.rpc.Wire;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Starts plugin processes by re-running this JVM's own classpath with {@link PluginMain}, and
 * reconnects to plugins recorded earlier. No binary has to be found: tests start plugins from the
 * test classpath, an external driver starts the executor it was built with.
 *
 * <p>Plugin JVMs are lean ({@link #DEFAULT_JVM_OPTIONS}) and, when the class path is all jars, use a class
 * data cache per plugin that the first launch creates in the background ({@link ClassDataCache}); figures
 * and reasons in bench/jvm/README.md.
 */
public final class PluginLauncher {
    private static final Logger LOG = Logger.getLogger(PluginLauncher.class.getName());
    /**
     * Lean defaults for plugin JVMs; see bench/jvm/README.md. Overridable with -Ddrover.plugin.jvm.options.
     * C1 only with one compiler thread (logmon's copy loops need a JIT; C2 costs memory), Serial GC with a small
     * bounded heap, malloc arenas trimmed every 5 s, the CDS/AOT archive mapped where it was dumped (not relocated:
     * its pages stay clean and are shared by every plugin JVM), JVM warnings to the plugin log instead of stdout
     * (where they would precede the handshake), an interned-string table sized for a plugin's ~2,000 strings (it
     * grows when needed; the default 65,536 buckets cost 0.5 MiB per JVM). Unknown -XX options are ignored, so a
     * JDK that drops a diagnostic flag still starts plugins.
     */
    static final String DEFAULT_JVM_OPTIONS =
            "--enable-native-access=ALL-UNNAMED -XX:+IgnoreUnrecognizedVMOptions -XX:+UseSerialGC -XX:TieredStopAtLevel=1 "
                    + "-XX:CICompilerCount=1 -Xss256k -Xms4m -Xmx64m -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError "
                    + "-XX:TrimNativeHeapInterval=5000 -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0 -XX:StringTableSize=4096 "
                    + "-Xlog:disable -Xlog:all=warning:stderr "
                    + "-Djava.util.logging.SimpleFormatter.format=%1$tFT%1$tT.%1$tL %4$s %2$s: %5$s%6$s%n";
    /**
     * Added for a shared host ("executor,logmon"): it serves every task, so its heap grows with the
     * task count (~35 KB live per task) — 64 MiB ran out near 500 tasks. The JDK's per-thread cache
     * of temporary direct buffers is capped so a burst of log output does not pin 64 KiB per stream.
     */
    static final List<String> SHARED_HOST_OPTIONS = List.of("-Xmx512m", "-Djdk.nio.maxCachedBufferSize=16384");
    /**
     * Added for one plugin alone (per_task placement), by name. The executor runs interpreted: it only
     * forks, waits and answers a few calls per task, so a JIT costs more than it saves: no compiler thread,
     * code cache or compiler arenas, -3 MiB PSS per executor at N=20 (bench/jvm/README.md); it allocates
     * little, so a 1 MiB young generation is enough (-0.25 MiB). Logmon keeps C1 for its byte loops (17x
     * faster than -Xint) and the default young generation (fewer collections under a flood of output), but
     * compiles only what runs 10x more often than the default thresholds: its copy loops still compile within
     * the first megabytes of output, its start-up code does not (-0.6 MiB code cache and compiler memory).
     */
    static final Map<String, List<String>> SINGLE_PLUGIN_OPTIONS = Map.of(
            "executor", List.of("-Xint", "-Xmn1m"),
            "logmon", List.of("-XX:CompileThresholdScaling=10"));

    /** JVM options of plugin processes, replacing {@link #DEFAULT_JVM_OPTIONS}. */
    public static final String JVM_OPTIONS_PROPERTY = "drover.plugin.jvm.options";
    /** Directory of the plugins' class data caches (default {@code <state dir>/jvm-cache}), or "off". */
    public static final String JVM_CACHE_PROPERTY = "drover.plugin.jvm.cache";
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

    private final Path stateDir;
    private final List<String> jvmOptions;
    private final String classPath;
    private final ClassDataCache cache; // null: none

    /** Plugins keep their sockets and logs in {@code stateDir}; class data caches per {@link #JVM_CACHE_PROPERTY}. */
    public PluginLauncher(Path stateDir) {
        this(stateDir, defaultCacheDir(stateDir));
    }

    /** As {@link #PluginLauncher(Path)} with the class data caches in {@code jvmCacheDir} (null: no cache). */
    public PluginLauncher(Path stateDir, Path jvmCacheDir) {
        this(stateDir, jvmCacheDir, ClassDataCache.Kind.configured(), System.getProperty("java.class.path"),
                parseOptions(System.getProperty(JVM_OPTIONS_PROPERTY, DEFAULT_JVM_OPTIONS)));
    }

    PluginLauncher(Path stateDir, Path jvmCacheDir, ClassDataCache.Kind kind, String classPath, List<String> jvmOptions) {
        this.stateDir = stateDir;
        this.jvmOptions = List.copyOf(jvmOptions);
        this.classPath = classPath;
        ClassDataCache cds = null;
        if (jvmCacheDir != null) {
            cds = new ClassDataCache(kind, jvmCacheDir, stateDir, javaCommand(), classPath, this.jvmOptions, this::jvmOptionsFor);
            var why = cds.disabledReason();
            if (why.isPresent()) {
                LOG.fine("plugin JVMs run without a class data cache: " + why.get());
                cds = null;
            }
        }
        this.cache = cds;
    }

    static List<String> parseOptions(String options) {
        return Arrays.stream(options.split(" (?=-)")).map(String::strip).filter(s -> !s.isBlank()).toList();
    }

    /**
     * The JVM options of plugin {@code name}: the common ones, plus {@link #SHARED_HOST_OPTIONS} for a shared host
     * or the plugin's {@link #SINGLE_PLUGIN_OPTIONS}.
     */
    List<String> jvmOptionsFor(String name) {
        var extra = name.contains(",") ? SHARED_HOST_OPTIONS : SINGLE_PLUGIN_OPTIONS.getOrDefault(name, List.of());
        if (extra.isEmpty()) return jvmOptions;
        var options = new ArrayList<>(jvmOptions);
        options.addAll(extra);
        return options;
    }

    private static Path defaultCacheDir(Path stateDir) {
        String configured = System.getProperty(JVM_CACHE_PROPERTY, "").strip();
        if (configured.equals("off")) return null;
        return configured.isEmpty() ? stateDir.resolve("jvm-cache") : Path.of(configured);
    }

    private static String javaCommand() {
        return ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    public Path stateDir() {
        return stateDir;
    }

    /** The class data cache plugins of this launcher use, if any. */
    Optional<ClassDataCache> classDataCache() {
        return Optional.ofNullable(cache);
    }

    /**
     * Starts plugin {@code name}; blocks until its handshake line arrives. Uses the plugin's class data cache
     * when there is one; a launch with the cache that fails (the JVM exited, not a handshake timeout on a busy
     * machine) is repeated without it, and a cache that the plugin JVM did not use (not mapped) or that failed a
     * launch is discarded; a launch without one starts its creation in the background.
     */
    public PluginConnection launch(String name) {
        List<String> cacheOptions = cache == null ? List.of() : cache.optionsFor(name);
        if (cacheOptions.isEmpty()) {
            var connection = start(name, List.of());
            if (cache != null) cache.createInBackground(name);
            return connection;
        }
        PluginConnection connection;
        try {
            connection = start(name, cacheOptions);
        } catch (HandshakeTimeout slow) {
            throw slow; // a busy machine, not a bad cache: keep it (the task's restart policy retries the start)
        } catch (DroverException withCache) {
            LOG.warning("the " + name + " plugin failed to start with its class data cache, trying without: " + withCache.getMessage());
            connection = start(name, List.of());
            cache.discard(name, "a launch with it failed and one without it succeeded: " + withCache.getMessage());
            return connection;
        }
        if (!cache.isMappedBy(connection.reattach().process().pid(), name)) {
            cache.discard(name, "the plugin JVM did not use it (see its log with -Xlog:cds,aot for why)");
        }
        return connection;
    }

    private PluginConnection start(String name, List<String> extraOptions) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path socket = stateDir.resolve(name + "-" + id + ".sock");
        Path log = stateDir.resolve(name + "-" + id + ".log");
        var command = new ArrayList<String>();
        command.add(javaCommand());
        command.addAll(jvmOptionsFor(name));
        command.addAll(extraOptions);
        // A crashing plugin JVM writes its report beside its log, not into whatever the agent's cwd is.
        command.add("-XX:ErrorFile=" + stateDir.resolve(name + "-" + id + ".hs_err.log"));
        command.add("-cp");
        command.add(classPath);
        command.add(PluginMain.class.getName());
        command.add(name);
        command.add(socket.toString());
        Process process;
        try {
            Files.createDirectories(stateDir);
            process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .start();
        } catch (IOException e) {
            throw DroverException.internal("failed to start " + name + " plugin: " + e.getMessage(), e);
        }
        Reaper.own(process.pid());
        String handshake = awaitHandshake(name, process, log);
        String expected = PluginProtocol.HANDSHAKE_PREFIX + " " + Wire.PROTOCOL_VERSION + " " + name + " unix ";
        if (!handshake.startsWith(expected)) {
            process.destroyForcibly();
            throw DroverException.internal("failed to start " + name + " plugin: unexpected handshake \"" + handshake + "\"", null);
        }
        var identity = ProcessIdentity.of((int) process.pid())
                .orElseThrow(() -> DroverException.internal(name + " plugin exited right after its handshake" + tail(log), null));
        var reattach = new PluginReattach(name, identity, handshake.substring(expected.length()));
        return new PluginConnection(reattach, RpcClient.connect(Path.of(reattach.socket())), process);
    }

    private static String awaitHandshake(String name, Process process, Path log) {
        var line = CompletableFuture.supplyAsync(() -> {
            try {
                var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String first;
                // JVM warnings (e.g. about a cache) land on stdout when the options leave the JVM log there
                while ((first = reader.readLine()) != null && ClassDataCache.JVM_LOG_LINE.matcher(first).matches()) {
                    LOG.fine(name + " plugin JVM: " + first);
                }
                return first;
            } catch (IOException e) {
                return null;
            }
        }, Thread::startVirtualThread);
        try {
            String handshake = line.get(HANDSHAKE_TIMEOUT_SECONDS, TimeUnit.SECONDS);
            if (handshake == null) {
                int code = process.waitFor();
                throw DroverException.internal("failed to start " + name + " plugin: it exited with code " + code
                        + " before its handshake" + tail(log), null);
            }
            return handshake.strip();
        } catch (TimeoutException e) {
            process.destroyForcibly();
            throw new HandshakeTimeout("failed to start " + name + " plugin: no handshake within "
                    + HANDSHAKE_TIMEOUT_SECONDS + "s" + tail(log), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw DroverException.internal("interrupted while starting " + name + " plugin", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw DroverException.internal("failed to start " + name + " plugin", e.getCause());
        }
    }

    /** A plugin JVM that did not answer in time: under load, with or without its class data cache. */
    private static final class HandshakeTimeout extends DroverException {
        HandshakeTimeout(String message, Throwable cause) {
            super(Kind.INTERNAL, message, true, cause);
        }
    }

    /** The last lines of a plugin's log, to turn a failed start into a diagnosis. */
    static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            if (lines.isEmpty()) return "";
            return "; last log lines:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    /**
     * Reconnects to a plugin recorded earlier; fails unless the very same process answers on the
     * recorded socket under the expected name.
     */
    public PluginConnection reattach(PluginReattach reattach) {
        if (!reattach.process().isAlive()) {
            throw DroverException.unavailable(reattach.name() + " plugin (pid " + reattach.process().pid() + ") is no longer running", null);
        }
        var client = RpcClient.connect(Path.of(reattach.socket()));
        try {
            var info = client.call(PluginProtocol.INFO, "", Empty.INSTANCE);
            if (!info.name().equals(reattach.name()) || info.pid() != reattach.process().pid()) {
                throw DroverException.unavailable("socket " + reattach.socket() + " is served by " + info.name()
                        + " pid " + info.pid() + ", not the recorded " + reattach.name() + " pid " + reattach.process().pid(), null);
            }
            if (info.protocolVersion() != Wire.PROTOCOL_VERSION) {
                throw DroverException.unavailable(reattach.name() + " plugin speaks protocol " + info.protocolVersion()
                        + ", this agent speaks " + Wire.PROTOCOL_VERSION, null);
            }
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
        return new PluginConnection(reattach, client, null);
    }
}
