package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.rpc.Wire;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every field of the executor's wire records survives JSON. The samples must set every component to
 * a non-default value — {@link #assertFullySet} fails when a new field is added and forgotten here.
 */
class WireRoundTripTest {
    static final Resources RESOURCES = new Resources(250, 128, 256);

    @Test
    void execCommandSurvives() {
        var command = new ExecCommand("/bin/app", List.of("--flag", "two words"), Map.of("A", "1", "B", "x=y"),
                "nobody", "/tasks/t1", "local/work", "/tasks/t1/out.fifo", "/tasks/t1/err.fifo", RESOURCES, "alloc.task",
                new Isolation("/usr/bin/crun", List.of(new Isolation.BindMount("/usr", "/usr", true)), Isolation.Mode.HOST,
                        Isolation.Mode.HOST, List.of("CAP_CHOWN"), true, 64));
        assertRoundTrip(command, ExecCommand.class);
    }

    @Test
    void processStateSurvives() {
        var state = new ProcessState(4242, 987654321L, 137, 9, true, 1_700_000_000_123L, "exit status lost");
        assertRoundTrip(state, ProcessState.class);
        var running = ProcessState.running(4242, 987654321L);
        assertEquals(running, Wire.JSON.readValue(Wire.JSON.writeValueAsString(running), ProcessState.class));
    }

    @Test
    void execResultSurvives() {
        var result = new ExecResult(new byte[] {0, 1, 2, (byte) 0xff, 'a'}, 3);
        assertFullySet(result);
        var back = Wire.JSON.readValue(Wire.JSON.writeValueAsString(result), ExecResult.class);
        assertArrayEquals(result.output(), back.output());
        assertEquals(result.exitCode(), back.exitCode());
    }

    @Test
    void requestsAndStatsSurvive() {
        assertRoundTrip(new ExecutorProtocol.SignalRequest("SIGHUP"), ExecutorProtocol.SignalRequest.class);
        assertRoundTrip(new ExecutorProtocol.ShutdownRequest("SIGTERM", 5_000), ExecutorProtocol.ShutdownRequest.class);
        assertRoundTrip(new ExecutorProtocol.ExecRequest(3_000, "check.sh", List.of("-v")), ExecutorProtocol.ExecRequest.class);
        assertRoundTrip(new ExecutorProtocol.VersionResponse("2.0.0"), ExecutorProtocol.VersionResponse.class);
        assertRoundTrip(new ExecutorProtocol.ExecStreamRequest(List.of("/bin/sh", "-c", "echo hi"), true), ExecutorProtocol.ExecStreamRequest.class);
        assertRoundTrip(new ExecutorProtocol.ExecStreamResponse("/tmp/drover-exec-1/x1.sock"), ExecutorProtocol.ExecStreamResponse.class);
        assertRoundTrip(RESOURCES, Resources.class);
        var usage = new ResourceUsage(new ResourceUsage.Memory(1, 2, 3, 4, 5),
                new ResourceUsage.Cpu(6, 7, 8.5, 9, 10), 11, 12);
        assertRoundTrip(usage, ResourceUsage.class);
    }

    private static <T extends Record> void assertRoundTrip(T value, Class<T> type) {
        assertFullySet(value);
        String json = Wire.JSON.writeValueAsString(value);
        assertEquals(value, Wire.JSON.readValue(json, type), json);
    }

    /** Recursively: no component is null, zero, false or empty. */
    static void assertFullySet(Record value) {
        for (RecordComponent c : value.getClass().getRecordComponents()) {
            Object v;
            try {
                v = c.getAccessor().invoke(value);
            } catch (ReflectiveOperationException e) {
                throw new AssertionError(e);
            }
            String where = value.getClass().getSimpleName() + "." + c.getName();
            assertNotNull(v, where);
            switch (v) {
                case Number n -> assertNotEquals(0.0, n.doubleValue(), where + " is zero in the sample");
                case Boolean b -> assertTrue(b, where + " is false in the sample");
                case String s -> assertFalse(s.isEmpty(), where + " is empty in the sample");
                case Collection<?> col -> assertFalse(col.isEmpty(), where + " is empty in the sample");
                case Map<?, ?> map -> assertFalse(map.isEmpty(), where + " is empty in the sample");
                case byte[] bytes -> assertNotEquals(0, bytes.length, where + " is empty in the sample");
                case Record r -> assertFullySet(r);
                default -> { }
            }
        }
    }
}
