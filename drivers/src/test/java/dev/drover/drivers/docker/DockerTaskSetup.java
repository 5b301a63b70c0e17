package dev.drover.drivers.docker;

import dev.drover.drivers.shared.RecordingMetrics;
import dev.drover.sdk.driver.AllocatedPort;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.TaskConfig;
import dev.drover.sdk.driver.TaskEvent;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.plugin.PluginLauncher;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.plugin.PluginPool;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;

/**
 * What the agent would prepare for a docker task, done by hand for driver-level tests: an alloc
 * dir, real fifos read the way logmon reads them, a plugin pool for the docker_logger and a list
 * collecting driver events.
 */
final class DockerTaskSetup {
    final Path root;
    final PluginPool plugins;
    final List<TaskEvent> events = new CopyOnWriteArrayList<>();

    DockerTaskSetup(Path root) {
        this.root = root;
        this.plugins = new PluginPool(new PluginLauncher(root.resolve("plugins"), null), PluginPlacement.PER_TASK);
    }

    /** What the drivers made here reported about their tasks. */
    final RecordingMetrics metrics = new RecordingMetrics();

    DockerDriver driver(Map<String, Object> pluginConfig) {
        return new DockerDriver(new DriverContext(pluginConfig, plugins, events::add, metrics));
    }

    List<String> eventMessages() {
        return events.stream().map(TaskEvent::message).toList();
    }

    /** One task of a fresh allocation. */
    final class Task {
        final String allocId = UUID.randomUUID().toString();
        final Path allocDir;
        final String name;
        final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        private final Path stdoutFifo;
        private final Path stderrFifo;

        Task(String name) throws IOException {
            this.name = name;
            this.allocDir = root.resolve(allocId);
            for (String d : List.of("alloc/logs", "alloc/data", "alloc/tmp", name + "/local", name + "/secrets", name + "/tmp")) {
                Files.createDirectories(allocDir.resolve(d));
            }
            stdoutFifo = allocDir.resolve("alloc/logs/." + name + ".stdout.fifo");
            stderrFifo = allocDir.resolve("alloc/logs/." + name + ".stderr.fifo");
            Native.mkfifo(stdoutFifo, 0600);
            Native.mkfifo(stderrFifo, 0600);
            read(stdoutFifo, stdout);
            read(stderrFifo, stderr);
        }

        /** Reads a fifo across writers coming and going, as logmon does (it keeps the fifo open for writing). */
        private static void read(Path fifo, ByteArrayOutputStream into) {
            // A platform thread: opening a fifo blocks in the kernel and would pin a virtual thread's carrier.
            Thread.ofPlatform().daemon().start(() -> {
                try (var in = new FileInputStream(fifo.toFile()); var hold = new java.io.FileOutputStream(fifo.toFile())) {
                    byte[] buf = new byte[8192];
                    for (int n; (n = in.read(buf)) > 0; ) {
                        synchronized (into) {
                            into.write(buf, 0, n);
                        }
                    }
                } catch (IOException ignored) {
                    // test over
                }
            });
        }

        String stdout() {
            synchronized (stdout) {
                return stdout.toString(StandardCharsets.UTF_8);
            }
        }

        String stderr() {
            synchronized (stderr) {
                return stderr.toString(StandardCharsets.UTF_8);
            }
        }

        TaskConfig config(Map<String, Object> driverConfig) {
            return config(driverConfig, Map.of("GREETING", "hello"), List.of(), 64);
        }

        TaskConfig config(Map<String, Object> driverConfig, Map<String, String> env, List<AllocatedPort> ports, int memoryMB) {
            String id = allocId + "/" + name + "/" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
            return new TaskConfig(id, "default", "job", "job", "g", name, allocId, "job.g[0]", "", env,
                    new Resources(100, memoryMB, 0), driverConfig, allocDir.toString(), stdoutFifo.toString(),
                    stderrFifo.toString(), ports);
        }
    }
}
