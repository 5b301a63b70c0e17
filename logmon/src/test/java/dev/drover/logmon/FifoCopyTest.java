package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.assertLines;
import static dev.drover.logmon.LogFiles.config;
import static dev.drover.logmon.LogFiles.contents;
import static dev.drover.logmon.LogFiles.indexes;
import static dev.drover.logmon.LogFiles.readAll;
import static dev.drover.logmon.LogFiles.sh;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.logmon.LogConfig;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** LogmonService in-process, with real fifos written by real processes. */
@Timeout(120)
class FifoCopyTest {
    @TempDir
    Path alloc;

    private LogmonService service;

    @AfterEach
    void stopAll() {
        if (service != null) service.stopAll();
        LogFiles.killLeftovers();
    }

    @Test
    void copiesEveryLineOnceInOrderAcrossRotatedFiles() throws Exception {
        // 8 KiB per "MB": 2 MB files are 16 KiB, so 20000 lines (~210 KiB) rotate about 14 times.
        service = new LogmonService(8 * 1024, FileRotator.IDLE_FLUSH, LogmonService.EOF_WAIT, LogmonService.HOLD_GRACE);
        LogConfig cfg = config(alloc, "web", 20, 2);
        service.start("a1-web", cfg);
        Path logs = Path.of(cfg.logDir());
        var out = sh("for i in $(seq 1 20000); do echo line $i; done > " + cfg.stdoutFifo());
        var err = sh("for i in $(seq 1 100000); do echo err $i; done > " + cfg.stderrFifo());
        assertEquals(0, out.waitFor());
        assertEquals(0, err.waitFor());
        long stopStart = System.nanoTime();
        service.stop("a1-web");
        long stopMillis = (System.nanoTime() - stopStart) / 1_000_000;
        assertTrue(stopMillis < 1_000, "writers were gone: stop should see EOF at once, took " + stopMillis + " ms");

        var stdoutFiles = indexes(logs, "web.stdout");
        assertTrue(stdoutFiles.size() > 10 && stdoutFiles.size() <= 20, "stdout files: " + stdoutFiles);
        assertEquals(0, stdoutFiles.getFirst());
        assertLines(readAll(logs, "web.stdout"), "line ", 1, 20000);
        for (var content : contents(logs, "web.stdout")) {
            assertTrue(content.length() <= 16 * 1024 && content.endsWith("\n"), "a file holds whole lines");
        }
        // stderr wrote ~1 MiB: about 70 files, purged to the newest 20, which hold an in-order tail.
        var stderrFiles = indexes(logs, "web.stderr");
        assertEquals(20, stderrFiles.size(), "max_files");
        assertTrue(stderrFiles.getFirst() > 40, "old files purged: " + stderrFiles);
        String tail = readAll(logs, "web.stderr");
        int first = Integer.parseInt(tail.substring("err ".length(), tail.indexOf('\n')));
        assertLines(tail, "err ", first, 100000);
        assertTrue(Files.exists(Path.of(cfg.stdoutFifo())), "fifos are left for the alloc dir GC");
        assertEquals(java.util.Set.of(), service.sessions());
    }

    @Test
    void measuresThroughput() throws Exception {
        service = new LogmonService(); // real MiB: 8 MiB files, 3 kept
        LogConfig cfg = config(alloc, "bulk", 3, 8);
        service.start("a1-bulk", cfg);
        long total = 256L << 20;
        long t0 = System.nanoTime();
        var writer = sh("yes 'a log line of some eighty characters, like the ones real services print..' | head -c "
                + total + " > " + cfg.stdoutFifo());
        assertEquals(0, writer.waitFor());
        LogFiles.await("all bytes copied", 60_000, () -> service.bytesCopied("a1-bulk") == total);
        double seconds = (System.nanoTime() - t0) / 1e9;
        service.stop("a1-bulk");
        System.out.printf("logmon end-to-end copy: %d MiB in %.2f s = %.0f MiB/s%n", total >> 20, seconds, (total >> 20) / seconds);
        var files = indexes(Path.of(cfg.logDir()), "bulk.stdout");
        assertEquals(3, files.size());
        assertTrue(files.getLast() >= 31, "256 MiB in 8 MiB files: at least 32 files, got " + files);
    }

    @Test
    void startIsIdempotentAndStopOfUnknownSessionIsANoOp() throws Exception {
        service = new LogmonService(1024, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5));
        LogConfig cfg = config(alloc, "web", 5, 1);
        service.stop("never-started");
        service.start("a1-web", cfg);
        service.start("a1-web", cfg);
        assertEquals(0, sh("echo one > " + cfg.stdoutFifo()).waitFor());
        service.start("a1-web", cfg); // while a task restarts: nothing changes, nothing is lost
        assertEquals(0, sh("echo two > " + cfg.stdoutFifo()).waitFor());
        service.stop("a1-web");
        service.stop("a1-web");
        assertEquals("one\ntwo\n", readAll(Path.of(cfg.logDir()), "web.stdout"));
        try {
            service.start("bad", new LogConfig(cfg.logDir(), "x", "x", cfg.stdoutFifo(), cfg.stderrFifo(), 1, 1));
            throw new AssertionError("same base for both streams must be refused");
        } catch (DroverException e) {
            assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        }
    }

    /**
     * A partial line waits in the fifo for its newline, and is written as it is once it was held
     * for the idle delay, counted from its first byte: a prompt shows up, and so does a progress
     * bar redrawn more often than the delay. Written by a process holding the fifo, as a task does.
     */
    @Test
    void writesAHeldPartialLineAfterTheIdleDelay() throws Exception {
        service = new LogmonService(1 << 20, Duration.ofMillis(150), Duration.ofMillis(500), Duration.ofSeconds(5));
        LogConfig cfg = config(alloc, "web", 5, 1);
        service.start("a1-web", cfg);
        Path file = Path.of(cfg.logDir()).resolve("web.stdout.0");
        try (var task = FileChannel.open(Path.of(cfg.stdoutFifo()), StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            long written = System.nanoTime();
            task.write(ByteBuffer.wrap("done\nprompt> ".getBytes(StandardCharsets.UTF_8)));
            LogFiles.await("the complete line", 5_000, () -> LogFiles.read(file).equals("done\n"));
            LogFiles.await("the idle flush", 5_000, () -> LogFiles.read(file).endsWith("prompt> "));
            long waited = (System.nanoTime() - written) / 1_000_000;
            assertTrue(waited >= 140, "flushed after " + waited + " ms, before the idle delay");
            task.write(ByteBuffer.wrap("yes\n".getBytes(StandardCharsets.UTF_8)));
            LogFiles.await("the answer", 5_000, () -> LogFiles.read(file).equals("done\nprompt> yes\n"));
            long start = System.nanoTime();
            for (int i = 0; i < 10; i++) {
                task.write(ByteBuffer.wrap(("\r" + i * 10 + "%").getBytes(StandardCharsets.UTF_8)));
                Thread.sleep(50);
            }
            long elapsed = (System.nanoTime() - start) / 1_000_000;
            assertTrue(LogFiles.read(file).contains("\r0%"), "nothing of the progress shown after " + elapsed + " ms");
            LogFiles.await("the last progress update", 5_000, () -> LogFiles.read(file).endsWith("\r90%"));
        }
        service.stop("a1-web");
    }

    /**
     * What was verified: a writer keeps the fifo open across stop + start of its session and writes
     * (1) while stop waits for EOF, (2) after stop returned and before start, (3) after start. It is
     * never hit by SIGPIPE (exits 0), every line lands exactly once and in order, stop gave up on
     * EOF after the wait because the writer held on, and the final stop saw EOF at once.
     */
    @Test
    void aWriterHoldingTheFifoSurvivesStopAndStart() throws Exception {
        service = new LogmonService(1 << 20, Duration.ofMillis(50), Duration.ofMillis(800), Duration.ofSeconds(10));
        LogConfig cfg = config(alloc, "web", 5, 1);
        Path logs = Path.of(cfg.logDir());
        service.start("a1-web", cfg);
        var writer = lineRelay(cfg.stdoutFifo());
        var stdin = writer.getOutputStream();
        send(stdin, "one");
        LogFiles.await("one", 5_000, () -> readAll(logs, "web.stdout").equals("one\n"));

        long t0 = System.nanoTime();
        var stopping = Thread.ofVirtual().start(() -> service.stop("a1-web"));
        Thread.sleep(300);
        send(stdin, "two"); // during the EOF wait
        stopping.join();
        long stopMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stopMillis >= 800, "the writer held the fifo: stop waited for EOF, took " + stopMillis + " ms");
        assertEquals("one\ntwo\n", readAll(logs, "web.stdout"));

        send(stdin, "three"); // no copy running: waits in the pipe, held readable by the parked handle
        Thread.sleep(300);
        assertTrue(writer.isAlive(), "writer died between stop and start: exit " + (writer.isAlive() ? "" : writer.exitValue()));
        service.start("a1-web", cfg);
        send(stdin, "four");
        stdin.close();
        assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, writer.exitValue(), "writer exit status (141 = killed by SIGPIPE)");
        t0 = System.nanoTime();
        service.stop("a1-web");
        stopMillis = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(stopMillis < 500, "writer gone: stop sees EOF at once, took " + stopMillis + " ms");
        assertEquals("one\ntwo\nthree\nfour\n", readAll(logs, "web.stdout"));
    }

    /** Without a start within the hold grace, an orphan still writing gets SIGPIPE, as under Nomad. */
    @Test
    void anOrphanWritingLongAfterStopGetsSigpipe() throws Exception {
        service = new LogmonService(1 << 20, Duration.ofMillis(50), Duration.ofMillis(300), Duration.ofMillis(300));
        LogConfig cfg = config(alloc, "web", 5, 1);
        service.start("a1-web", cfg);
        var writer = lineRelay(cfg.stdoutFifo());
        var stdin = writer.getOutputStream();
        send(stdin, "kept");
        LogFiles.await("kept", 5_000, () -> readAll(Path.of(cfg.logDir()), "web.stdout").equals("kept\n"));
        service.stop("a1-web");
        Thread.sleep(800);
        send(stdin, "lost");
        assertTrue(writer.waitFor(10, TimeUnit.SECONDS));
        assertEquals(141, writer.exitValue(), "killed by SIGPIPE");
        assertFalse(service.sessions().contains("a1-web"));
    }

    /** A held handle on a fifo that was deleted and recreated meanwhile is not reused (start would hang). */
    @Test
    @Timeout(30)
    void aHoldOnAReplacedFifoIsDropped() throws Exception {
        service = new LogmonService(1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), Duration.ofSeconds(10));
        LogConfig cfg = config(alloc, "web", 5, 1);
        service.start("a1-web", cfg);
        var writer = lineRelay(cfg.stdoutFifo());
        send(writer.getOutputStream(), "old");
        LogFiles.await("old", 5_000, () -> readAll(Path.of(cfg.logDir()), "web.stdout").equals("old\n"));
        service.stop("a1-web"); // the writer holds on: the fifo is parked
        Files.delete(Path.of(cfg.stdoutFifo()));
        service.start("a1-web", cfg); // a new fifo is made; the parked handle belongs to the old one
        assertEquals(0, sh("echo new > " + cfg.stdoutFifo()).waitFor());
        service.stop("a1-web");
        assertEquals("old\nnew\n", readAll(Path.of(cfg.logDir()), "web.stdout"));
    }

    /**
     * A disk that fills up: the writer is never held up (what a splice cannot write is taken from
     * the fifo and dropped), and every byte and line it wrote is either in the files or counted
     * as dropped.
     */
    @Test
    void aFullDiskDropsOutputCountsItAndNeverBlocksTheWriter() throws Exception {
        service = new LogmonService(1 << 20, Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofSeconds(5));
        LogConfig cfg = config(alloc, "web", 5, 1);
        Path logs = Path.of(cfg.logDir());
        try (var disk = TinyDisk.mount(logs, 64)) {
            service.start("a1-web", cfg);
            var writer = sh("seq 1 100000 > " + cfg.stdoutFifo()); // 588,895 bytes
            assertTrue(writer.waitFor(30, TimeUnit.SECONDS), "the writer was blocked");
            assertEquals(0, writer.exitValue());
            assertEquals(0, sh("echo oops > " + cfg.stderrFifo()).waitFor());
            LogFiles.await("everything read", 10_000, () -> service.bytesCopied("a1-web") == 588_895 + 5);
            var out = service.stats("a1-web").stdout();
            long[] kept = LogCountsTest.inFiles(logs, "web.stdout");
            assertTrue(kept[0] > 0 && out.bytesDropped() > 0, out.toString());
            assertEquals(kept[0], out.bytesWritten());
            assertEquals(kept[1], out.linesWritten());
            assertEquals(588_895, out.bytesWritten() + out.bytesDropped());
            assertEquals(100_000, out.linesWritten() + out.linesDropped());
            service.stop("a1-web");
        }
    }

    /** A shell that opens the fifo once and relays each line of its stdin into it. */
    private static Process lineRelay(String fifo) throws Exception {
        return sh("exec 3>" + fifo + "; while IFS= read -r l; do printf '%s\\n' \"$l\" >&3; done");
    }

    private static void send(OutputStream stdin, String line) throws Exception {
        stdin.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        stdin.flush();
    }
}
