package dev.drover.drivers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.docker.api.StdStream;
import dev.drover.sdk.driver.ExecStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The engine's "could not start" report becomes an error; every other output passes, in order. */
class StartGateTest {
    private static final String FAILURE = "OCI runtime exec failed: exec failed: unable to start container process: exec: "
            + "\"no-such-cmd\": executable file not found in $PATH: unknown\r\n";

    /** Collects what the gate delivers. */
    static final class Sink implements ExecStream {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        @Override
        public Input receive() {
            return null;
        }

        @Override
        public synchronized void stdout(byte[] data) {
            out.writeBytes(data);
        }

        @Override
        public synchronized void stderr(byte[] data) {
            err.writeBytes(data);
        }

        synchronized String stdout() {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void ordinaryOutputPassesAtOnceAndTheEngineIsNotAsked() {
        var sink = new Sink();
        var gate = new StartGate(sink);
        gate.offer(StdStream.STDOUT, b("hello "));
        assertEquals("hello ", sink.stdout(), "delivered before the stream ends");
        gate.offer(StdStream.STDERR, b("oops"));
        gate.offer(StdStream.STDOUT, b("world"));
        assertNull(gate.finish(() -> {
            throw new AssertionError("the engine is asked only about output that looks like its report");
        }));
        assertEquals("hello world", sink.stdout());
        assertEquals("oops", sink.err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void theEnginesReportOfACommandThatNeverRanIsAnErrorNotOutput() {
        var sink = new Sink();
        var gate = new StartGate(sink);
        gate.offer(StdStream.STDOUT, b(FAILURE.substring(0, 10))); // split anywhere: still recognized
        gate.offer(StdStream.STDOUT, b(FAILURE.substring(10)));
        String failure = gate.finish(() -> true);
        assertEquals(FAILURE.strip(), failure);
        assertEquals("", sink.stdout());
        assertEquals("executable \"no-such-cmd\" not found in the container; searched PATH=/usr/bin:/bin",
                StartGate.explain(failure, () -> "/usr/bin:/bin"));
        assertEquals("executable \"no-such-cmd\" not found in the container; searched the container's PATH",
                StartGate.explain(failure, () -> null));
        assertEquals("executable \"/nope\" not found in the container", StartGate.explain(
                "OCI runtime exec failed: exec failed: unable to start container process: exec: \"/nope\": stat /nope: no such file or directory: unknown",
                () -> null));
        assertTrue(StartGate.explain("OCI runtime exec failed: permission denied", () -> null)
                .startsWith("the container runtime could not start it: OCI runtime exec failed: permission denied"));
    }

    @Test
    void aCommandThatPrintsTheSameWordsKeepsItsOutput() {
        var sink = new Sink();
        var gate = new StartGate(sink);
        gate.offer(StdStream.STDOUT, b(FAILURE));
        assertNull(gate.finish(() -> false)); // it ran: a pid, so it is output
        assertEquals(FAILURE, sink.stdout());
    }

    @Test
    void outputThatOnlyBeginsLikeTheReportIsHeldBriefly() throws Exception {
        var sink = new Sink();
        var gate = new StartGate(sink);
        gate.offer(StdStream.STDOUT, b("OC"));
        assertEquals("", sink.stdout());
        long deadline = System.currentTimeMillis() + 5_000;
        while (sink.stdout().isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(10);
        assertEquals("OC", sink.stdout(), "released after " + StartGate.HOLD_MILLIS + " ms");
        gate.offer(StdStream.STDOUT, b("!"));
        assertEquals("OC!", sink.stdout());
    }
}
