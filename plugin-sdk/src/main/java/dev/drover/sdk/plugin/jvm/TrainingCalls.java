package dev.drover.sdk.plugin.jvm;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ExecutorClient;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.rpc.RpcClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * What a class data cache's training run asks of a plugin besides {@code plugin.info}: one task's worth of the
 * calls it serves, so the classes it loads for them are archived too, not only those of its start-up (with a
 * static archive that is ~1 MiB less private memory per plugin JVM, bench/jvm/README.md). Executor: a
 * {@code sleep} launched, its stats read, shut down, waited for, destroyed; logmon: a session on two fresh fifos
 * with a few lines through them. Plugins of other names get no calls. Failures are logged and the archive is
 * made from what was loaded.
 */
final class TrainingCalls {
    private static final Logger LOG = Logger.getLogger(TrainingCalls.class.getName());
    private static final String SESSION = "class-data-training";

    private TrainingCalls() {}

    /** {@code name} may list several plugins of one host, "executor,logmon". {@code scratch}: an empty directory of ours. */
    static void exercise(String name, RpcClient client, Path scratch) {
        for (String plugin : name.split(",")) {
            try {
                switch (plugin) {
                    case ExecutorProtocol.PLUGIN_NAME -> executor(client, Files.createDirectories(scratch.resolve("task")));
                    case LogmonProtocol.PLUGIN_NAME -> logmon(client, Files.createDirectories(scratch.resolve("logs")));
                    default -> { }
                }
            } catch (IOException | RuntimeException e) {
                LOG.fine("training calls of the " + plugin + " plugin stopped early (the cache holds what was loaded): " + e);
            }
        }
    }

    private static void executor(RpcClient client, Path taskDir) {
        var executor = new ExecutorClient(client);
        var command = new ExecCommand("/bin/sleep", List.of("30"), Map.of("PATH", "/usr/bin:/bin"), "", taskDir.toString(),
                "", taskDir.resolve("out").toString(), taskDir.resolve("err").toString(), new Resources(100, 64, 0), "");
        executor.launch(SESSION, command);
        try {
            executor.stats(SESSION);
            executor.shutdown(SESSION, "SIGTERM", 2_000);
            executor.await(SESSION);
        } finally {
            executor.destroy(SESSION);
        }
    }

    private static void logmon(RpcClient client, Path dir) throws IOException {
        var out = dir.resolve(".out.fifo");
        var err = dir.resolve(".err.fifo");
        Native.mkfifo(out, 0600);
        Native.mkfifo(err, 0600);
        var logmon = LogmonProtocol.client(client);
        // held read-write, as the agent holds a task's fifos: opening never blocks, and logmon sees a writer
        try (var outChannel = FileChannel.open(out, StandardOpenOption.READ, StandardOpenOption.WRITE);
             var errChannel = FileChannel.open(err, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            logmon.start(SESSION, new LogConfig(dir.toString(), "task.stdout", "task.stderr", out.toString(), err.toString(), 2, 1));
            for (int i = 0; i < 100; i++) {
                outChannel.write(ByteBuffer.wrap(("line " + i + " of the training run\n").getBytes(StandardCharsets.UTF_8)));
            }
            errChannel.write(ByteBuffer.wrap("an error line\n".getBytes(StandardCharsets.UTF_8)));
            Thread.sleep(300); // let the copy loops run
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            logmon.stop(SESSION); // the writers are closed: logmon drains and ends the session at once
        }
    }
}
