package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.driver.ExecStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/** A caller of an interactive exec, driven by the test: queued input, collected output. */
final class TestExecStream implements ExecStream {
    private static final Input GONE = new Stdin(new byte[0]);
    private final BlockingQueue<Input> input = new LinkedBlockingQueue<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    TestExecStream send(String text) {
        input.add(new Stdin(text.getBytes(StandardCharsets.UTF_8)));
        return this;
    }

    TestExecStream send(Input in) {
        input.add(in);
        return this;
    }

    /** The caller hangs up: receive() answers null. */
    void hangUp() {
        input.add(GONE);
    }

    @Override
    public Input receive() throws InterruptedException {
        var next = input.take();
        return next == GONE ? null : next;
    }

    @Override
    public synchronized void stdout(byte[] data) {
        out.writeBytes(data);
        notifyAll();
    }

    @Override
    public synchronized void stderr(byte[] data) {
        err.writeBytes(data);
        notifyAll();
    }

    synchronized String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    synchronized String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** Waits until stdout matches the regex somewhere; returns all of stdout. */
    synchronized String await(String regex, Duration timeout) throws InterruptedException {
        var pattern = java.util.regex.Pattern.compile(regex);
        long deadline = System.currentTimeMillis() + timeout.toMillis();
        while (!pattern.matcher(stdout()).find()) {
            long left = deadline - System.currentTimeMillis();
            if (left <= 0) fail("timed out waiting for /" + regex + "/ in exec output: " + stdout().replace("\r", "\\r"));
            wait(left);
        }
        return stdout();
    }
}
