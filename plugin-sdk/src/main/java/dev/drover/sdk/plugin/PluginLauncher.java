package dev.drover.sdk.plugin;

import dev.drover.sdk.DroverException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts plugin processes by re-running this JVM's own classpath with {@link PluginMain}, and
 * reconnects to plugins recorded earlier. No binary has to be found: tests start plugins from the
 * test classpath, an external driver starts the executor it was built with.
 */
public final class PluginLauncher {
    /** Lean defaults for plugin JVMs; see docs/performance.md. Overridable with -Ddrover.plugin.jvm.options. */
    static final String DEFAULT_JVM_OPTIONS =
            "--enable-native-access=ALL-UNNAMED -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xss256k "
                    + "-Xms8m -Xmx64m -XX:-UsePerfData -XX:+ExitOnOutOfMemoryError "
                    + "-Djava.util.logging.SimpleFormatter.format=%1$tFT%1$tT.%1$tL %4$s %2$s: %5$s%6$s%n";
    private static final long HANDSHAKE_TIMEOUT_SECONDS = 30;

    private final Path stateDir;
    private final List<String> jvmOptions;

    public PluginLauncher(Path stateDir) {
        this.stateDir = stateDir;
        this.jvmOptions = Arrays.stream(System.getProperty("drover.plugin.jvm.options", DEFAULT_JVM_OPTIONS)
                        .split(" (?=-)"))
                .filter(s -> !s.isBlank()).toList();
    }

    public Path stateDir() {
        return stateDir;
    }

    /** Starts plugin {@code name}; blocks until its handshake line arrives. */
    public PluginConnection launch(String name) {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        Path socket = stateDir.resolve(name + "-" + id + ".sock");
        Path log = stateDir.resolve(name + "-" + id + ".log");
        var command = new ArrayList<String>();
        command.add(ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
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
                return reader.readLine();
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
            throw DroverException.internal("failed to start " + name + " plugin: no handshake within "
                    + HANDSHAKE_TIMEOUT_SECONDS + "s" + tail(log), e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw DroverException.internal("interrupted while starting " + name + " plugin", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw DroverException.internal("failed to start " + name + " plugin", e.getCause());
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
