package dev.drover.executor;

import dev.drover.sdk.nativ.Native;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Plays logmon's part in tests: creates a fifo and reads it on a thread until EOF. */
final class FifoReader {
    private final Path path;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CountDownLatch eof = new CountDownLatch(1);

    FifoReader(Path path) {
        this.path = path;
        Native.mkfifo(path, 0600);
        // A reader blocked in open() already counts as a reader, so the executor's open succeeds.
        Thread.ofPlatform().daemon().name("fifo-" + path.getFileName()).start(this::pump);
    }

    private void pump() {
        try (var in = new FileInputStream(path.toFile())) {
            byte[] chunk = new byte[4096];
            int n;
            while ((n = in.read(chunk)) > 0) {
                synchronized (buffer) {
                    buffer.write(chunk, 0, n);
                }
            }
        } catch (IOException e) {
            // test will notice missing output
        } finally {
            eof.countDown();
        }
    }

    Path path() {
        return path;
    }

    String text() {
        synchronized (buffer) {
            return buffer.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until all writers closed the fifo; returns everything read. */
    String awaitEof(Duration timeout) throws InterruptedException {
        if (!eof.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no EOF on " + path + " within " + timeout + "; read so far: " + text());
        }
        return text();
    }

    void awaitText(String expected, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!text().contains(expected)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("\"" + expected + "\" not seen on " + path + " within " + timeout + "; got: " + text());
            }
            Thread.sleep(10);
        }
    }
}
