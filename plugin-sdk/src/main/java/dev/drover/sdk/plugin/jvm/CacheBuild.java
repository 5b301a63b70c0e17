package dev.drover.sdk.plugin.jvm;

import dev.drover.sdk.fs.FileTrees;
import dev.drover.sdk.plugin.PluginMain;
import dev.drover.sdk.plugin.jvm.ClassDataCache.Kind;
import dev.drover.sdk.plugin.PluginProtocol;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;

import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * How {@link ClassDataCache} creates one cache file: the JVMs it runs (niced) and what it checks. A training
 * run of the real plugin (handshake, {@code plugin.info}, {@link TrainingCalls}, {@code plugin.shutdown}) records
 * what the plugin loads; for a static archive or an AOT cache an assembly JVM builds the file from that record; a
 * check JVM must accept the file as it is; then it is renamed into place. Each step has a time limit, and a step
 * that fails says whether retrying could help ({@link StepFailed#permanent}).
 */
final class CacheBuild {
    private static final Logger LOG = Logger.getLogger(CacheBuild.class.getName());
    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final Path NICE = Path.of("/usr/bin/nice");
    /** Training, assembly and check JVMs in flight, killed if the agent exits meanwhile (their output is temporary). */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly), "class-data-cache-cleanup"));
    }

    private final Kind kind;
    private final Path dir;
    private final Path socketDir;
    private final String java;
    private final String classPath;
    private final Function<String, List<String>> jvmOptionsFor;

    CacheBuild(Kind kind, Path dir, Path socketDir, String java, String classPath,
               Function<String, List<String>> jvmOptionsFor) {
        this.kind = kind;
        this.dir = dir;
        this.socketDir = socketDir;
        this.java = java;
        this.classPath = classPath;
        this.jvmOptionsFor = jvmOptionsFor;
    }

    /**
     * Training run, assembly, check, publish: writes the cache of plugin {@code name} to {@code target}
     * ({@code base} names its temporary files and log in the cache directory). Temporary files carry a random
     * id, so nothing is shared.
     */
    void build(String name, String base, Path target) throws IOException {
        String id = HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        var config = dir.resolve(base + ".aotconf.tmp-" + id);
        var output = dir.resolve(base + "." + kind.extension + ".tmp-" + id);
        var log = dir.resolve(base + ".log");
        var socket = socketDir.resolve(name + "-cds" + id + ".sock");
        var scratch = socketDir.resolve(name + "-cds" + id + ".d");
        Files.deleteIfExists(log);
        try {
            Files.createDirectories(socketDir);
            // 1. the real plugin, recording what it loads until it is asked to shut down (written when it exits)
            var record = command(name, switch (kind) {
                case STATIC -> List.of("-XX:DumpLoadedClassList=" + config);
                case AOT -> List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=" + config);
            });
            record.addAll(List.of(PluginMain.class.getName(), name, socket.toString()));
            var plugin = start(record, log, true);
            try {
                String handshake = readHandshake(plugin);
                if (handshake == null || !handshake.startsWith(PluginProtocol.HANDSHAKE_PREFIX + " ")) {
                    Integer code = exitOf(plugin);
                    throw new StepFailed("training run gave no handshake (exit " + (code == null ? "unknown" : code) + ")",
                            code != null && code > 0 && code < 128);
                }
                try (var client = RpcClient.connect(socket)) {
                    client.call(PluginProtocol.INFO, "", Empty.INSTANCE);
                    TrainingCalls.exercise(name, client, scratch);
                    try {
                        client.call(PluginProtocol.SHUTDOWN, "", Empty.INSTANCE);
                    } catch (RuntimeException e) {
                        // the plugin may close the connection while exiting
                    }
                }
                await(plugin, "training run");
            } finally {
                finish(plugin);
                Files.deleteIfExists(socket);
            }
            // 2. an AOT cache or a static archive is assembled from what the training run recorded
            if (!Files.isRegularFile(config)) throw new IOException("training run wrote no " + (kind == Kind.AOT ? "AOT configuration" : "class list"));
            var assemble = kind == Kind.AOT
                    ? List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=" + config, "-XX:AOTCache=" + output)
                    : List.of("-Xshare:dump", "-XX:SharedClassListFile=" + config, "-XX:SharedArchiveFile=" + output);
            await(start(command(name, assemble), log, false), "cache assembly");
            if (!Files.isRegularFile(output) || Files.size(output) == 0) throw new IOException("no cache file was written");
            // 3. the JVM must accept it as is: these modes fail instead of ignoring a cache they cannot use
            var check = command(name, switch (kind) {
                case STATIC -> List.of("-Xshare:on", "-XX:SharedArchiveFile=" + output);
                case AOT -> List.of("-XX:AOTMode=on", "-XX:AOTCache=" + output);
            });
            check.add("-version");
            await(start(check, log, false), "cache check");
            try (var channel = FileChannel.open(output, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(output, target, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(config);
            Files.deleteIfExists(output);
            FileTrees.deleteQuietly(scratch);
        }
    }

    /** A JVM command line; niced, so a creation in the background yields the CPU to real plugin starts. */
    private List<String> command(String name, List<String> extra) {
        var command = new ArrayList<String>();
        if (Files.isExecutable(NICE)) command.addAll(List.of(NICE.toString(), "-n", "10"));
        command.add(java);
        command.addAll(jvmOptionsFor.apply(name));
        command.addAll(extra);
        // A training run serves nobody but us: it must not outlive the agent that started it.
        command.add("-D" + PluginMain.CREATOR_PROPERTY + "=" + ProcessHandle.current().pid());
        command.add("-cp");
        command.add(classPath);
        return command;
    }

    private Process start(List<String> command, Path log, boolean pipeStdout) throws IOException {
        var builder = new ProcessBuilder(command)
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
        if (!pipeStdout) builder.redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        var process = builder.start();
        Reaper.own(process.pid()); // the JDK reaps it and needs its exit status
        RUNNING.add(process);
        return process;
    }

    private static void finish(Process process) {
        if (process.isAlive()) process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(process);
        Reaper.disown(process.pid());
    }

    /** A failed creation step; {@code permanent} when the JVM itself refused (retrying would not help). */
    static final class StepFailed extends IOException {
        final boolean permanent;

        StepFailed(String message, boolean permanent) {
            super(message);
            this.permanent = permanent;
        }
    }

    private static void await(Process process, String step) throws IOException {
        try {
            if (!process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new StepFailed(step + " did not finish within " + STEP_TIMEOUT.toMinutes() + " min", false);
            }
            int code = process.exitValue();
            // 128+n: killed by signal n (the agent stopping, a cleanup): says nothing about the cache
            if (code != 0) throw new StepFailed(step + " failed with exit code " + code, code < 128);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StepFailed(step + " interrupted", false);
        } finally {
            finish(process);
        }
    }

    /** The exit code, or null if the process is still running after 5 s. */
    private static Integer exitOf(Process process) {
        try {
            return process.waitFor(5, TimeUnit.SECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static String readHandshake(Process process) {
        var line = CompletableFuture.supplyAsync(() -> {
            try {
                var reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                String l;
                while ((l = reader.readLine()) != null && ClassDataCache.JVM_LOG_LINE.matcher(l).matches()) {
                    // JVM chatter when the options leave its log on stdout
                }
                return l;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, Thread::startVirtualThread);
        try {
            return line.get(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            return null;
        }
    }
}
