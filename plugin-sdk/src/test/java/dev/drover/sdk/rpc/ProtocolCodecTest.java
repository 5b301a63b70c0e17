package dev.drover.sdk.rpc;

import static dev.drover.sdk.testing.WireSamples.sample;

import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.executor.ExecutorCodecs;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.logmon.LogConfig;
import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.logmon.LogmonProtocol;
import dev.drover.sdk.plugin.PluginProtocol;
import dev.drover.sdk.testing.WireSamples;
import dev.drover.sdk.testing.WireSamples.Sample;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every request and response record of the executor, logmon and plugin protocols survives its hand-written
 * codec and travels as the JSON Jackson made of it (docker_logger's: {@code DockerLoggerProtocolTest}).
 */
class ProtocolCodecTest {
    static final Resources RESOURCES = new Resources(250, 128, 256);
    static final ExecCommand COMMAND = new ExecCommand("/bin/app", List.of("--flag", "two words", "ünï\"cødé\n\t\\"),
            Map.of("A", "1", "B", "x=y", "C", "\u0001\u001f\u2028 😀"), "nobody", "/tasks/t1", "local/work",
            "/tasks/t1/out.fifo", "/tasks/t1/err.fifo", RESOURCES, "alloc.task",
            new Isolation("/usr/bin/crun", List.of(new Isolation.BindMount("/usr", "/usr", true),
                    new Isolation.BindMount("/srv/data", "/data", true)), Isolation.Mode.HOST, Isolation.Mode.HOST,
                    List.of("CAP_CHOWN", "CAP_KILL"), true, 64));
    static final ProcessState STATE = new ProcessState(4242, 987654321L, 137, 9, true, 1_700_000_000_123L, "exit status lost");
    static final ResourceUsage USAGE = new ResourceUsage(new ResourceUsage.Memory(1, 2, 3, Long.MAX_VALUE, 5),
            new ResourceUsage.Cpu(6, 7, 8.5, 9, Long.MIN_VALUE), 11, 12);

    static final List<Sample<?, ?>> EXECUTOR = List.of(
            sample(ExecutorProtocol.LAUNCH, COMMAND, STATE),
            sample(ExecutorProtocol.ADOPT, new ExecutorProtocol.AdoptRequest(COMMAND, 77, 123456789L), STATE),
            sample(ExecutorProtocol.WAIT, Empty.INSTANCE, STATE),
            sample(ExecutorProtocol.SIGNAL, new ExecutorProtocol.SignalRequest("SIGHUP"), Empty.INSTANCE),
            sample(ExecutorProtocol.SHUTDOWN, new ExecutorProtocol.ShutdownRequest("SIGTERM", 5_000), Empty.INSTANCE),
            sample(ExecutorProtocol.DESTROY, Empty.INSTANCE, Empty.INSTANCE),
            sample(ExecutorProtocol.STATS, Empty.INSTANCE, USAGE),
            sample(ExecutorProtocol.UPDATE_RESOURCES, RESOURCES, Empty.INSTANCE),
            sample(ExecutorProtocol.EXEC, new ExecutorProtocol.ExecRequest(3_000, "check.sh", List.of("-v")),
                    new ExecResult(new byte[] {0, 1, 2, (byte) 0xff, 'a', '"'}, 3)),
            sample(ExecutorProtocol.EXEC_STREAM, new ExecutorProtocol.ExecStreamRequest(List.of("/bin/sh", "-c", "echo hi"), true),
                    new ExecutorProtocol.ExecStreamResponse("/tmp/drover-exec-1/x1.sock")),
            sample(ExecutorProtocol.VERSION_CALL, Empty.INSTANCE, new ExecutorProtocol.VersionResponse("2.0.0")));

    static final List<Sample<?, ?>> LOGMON = List.of(
            sample(LogmonProtocol.START, new LogConfig("/alloc/logs", "web.stdout", "web.stderr", "/t/.out.fifo", "/t/.err.fifo", 10, 20),
                    Empty.INSTANCE),
            sample(LogmonProtocol.STOP, Empty.INSTANCE, Empty.INSTANCE),
            sample(LogmonProtocol.STATS, Empty.INSTANCE, new LogStats(new LogStats.Stream(1L << 40, 7, 3, Long.MAX_VALUE),
                    new LogStats.Stream(11, 5, 1234567890123L, 2))));

    static final List<Sample<?, ?>> PLUGIN = List.of(
            sample(PluginProtocol.INFO, Empty.INSTANCE, new PluginProtocol.Info("executor,logmon", 1, 1L << 40, "0.1.0")),
            sample(PluginProtocol.SHUTDOWN, Empty.INSTANCE, Empty.INSTANCE));

    @Test
    void everyMethodHasASample() {
        WireSamples.assertCovers(ExecutorProtocol.class, EXECUTOR);
        WireSamples.assertCovers(LogmonProtocol.class, LOGMON);
        WireSamples.assertCovers(PluginProtocol.class, PLUGIN);
    }

    @Test
    void executorRecordsSurviveAndMatchJackson() {
        WireSamples.assertAll(EXECUTOR);
        // what a launch of the universal executor sends: no sandbox, defaults filled in by the record
        WireSamples.assertTravels("universal command", ExecutorCodecs.EXEC_COMMAND, new ExecCommand("/bin/sleep",
                List.of(), Map.of(), null, "/tasks/t", null, null, null, new Resources(0, 0, 0), null));
        WireSamples.assertTravels("running", ExecutorCodecs.PROCESS_STATE, ProcessState.running(1, 2));
        WireSamples.assertTravels("no output", ExecutorCodecs.EXEC_RESULT, new ExecResult(new byte[0], 0));
        WireSamples.assertTravels("odd percent", ExecutorCodecs.RESOURCE_USAGE, new ResourceUsage(
                new ResourceUsage.Memory(0, 0, 0, 0, 0), new ResourceUsage.Cpu(0, 0, 1e-7, 0, 0), 0, 0));
    }

    @Test
    void logmonAndPluginRecordsSurviveAndMatchJackson() {
        WireSamples.assertAll(LOGMON);
        WireSamples.assertAll(PLUGIN);
    }
}
