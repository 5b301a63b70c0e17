package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.contents;
import static dev.drover.logmon.LogFiles.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.logmon.LogStats;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.nativ.Pipes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where files end depends only on the lines, never on how the bytes arrive: output copied from a
 * real fifo by a {@link FifoCopier} (small windows, then large ones under a flood, cut anywhere,
 * partial lines longer than the pipe) lays out the files exactly as the rules say for the whole
 * output at once ({@link RotationModel}), and counts every byte and line.
 */
@Timeout(60)
class ReadSizesTest {
    private static final Duration NO_IDLE_FLUSH = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void smallFilesWithLinesOfEveryKind() throws Exception {
        // Files smaller than a read; lines shorter than, exactly as long as and longer than a file.
        assertLaidOutByTheRules(lines(new Random(1), 3 << 20, 4096), 4096);
    }

    @Test
    void largeFilesWithLinesLongerThanARead() throws Exception {
        assertLaidOutByTheRules(lines(new Random(2), 6 << 20, 100 * 1024), 100 * 1024);
    }

    /**
     * 4 MiB files; lines of 300-900 KiB wait whole in the fifo, whose pipe grows beyond the 256 KiB
     * of a burst for them; lines of 1.2-3 MiB fill even the largest pipe the kernel allows (1 MiB
     * without CAP_SYS_RESOURCE): they start a new file and stay whole; lines of 5-6 MiB are split.
     */
    @Test
    void partialLinesLongerThanThePipe() throws Exception {
        var random = new Random(4);
        var out = new ByteArrayOutputStream();
        for (int i = 0; out.size() < 40 << 20; i++) {
            int kind = random.nextInt(100);
            int len = kind < 80 ? 1 + random.nextInt(200)
                    : kind < 92 ? (300 << 10) + random.nextInt(600 << 10)
                    : kind < 98 ? (1200 << 10) + random.nextInt(1800 << 10)
                    : (5 << 20) + random.nextInt(1 << 20);
            out.write(("x".repeat(len - 1) + "\n").getBytes(StandardCharsets.US_ASCII), 0, len);
        }
        long limit = largestPipe(8 << 20);
        assertTrue(limit >= 1 << 20, "the kernel allows pipes of " + limit + " bytes only");
        assertLaidOutByTheRules(out.toByteArray(), 4 << 20, limit);
        System.out.println("largest pipe allowed: " + limit);
    }

    /** The largest power-of-two pipe size up to {@code max} this process may set. */
    private static long largestPipe(int max) {
        int[] pipe = Pipes.pipe();
        try {
            long largest = 0;
            for (int size = 64 << 10; size <= max; size *= 2) {
                try {
                    largest = Pipes.resizePipe(pipe[1], size);
                } catch (NativeException e) {
                    break;
                }
            }
            return largest;
        } finally {
            Native.close(pipe[0]);
            Native.close(pipe[1]);
        }
    }

    @Test
    void outputWithoutAnyNewlineIsSplitByBytes() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 123];
        java.util.Arrays.fill(data, (byte) 'x');
        assertLaidOutByTheRules(data, 100 * 1024);
    }

    @Test
    void aRotationInTheMiddleOfOneLargeRead() throws Exception {
        // 64-byte lines, files of 10000 bytes: not a multiple, so each file ends 16 bytes short
        // and the line crossing each boundary starts the next file, inside one window.
        var all = new StringBuilder();
        for (int i = 0; all.length() < 900_000; i++) all.append("%063d\n".formatted(i));
        byte[] data = all.toString().getBytes(StandardCharsets.US_ASCII);
        assertLaidOutByTheRules(data, 10_000);
        var files = contents(dir.resolve("copied"), "t.stdout");
        assertEquals(all.toString(), String.join("", files));
        for (var f : files.subList(0, files.size() - 1)) assertEquals(9984, f.length());
    }

    /** The copy lays the files out as the rules say ({@link RotationModel}), and counts every byte and line. */
    private void assertLaidOutByTheRules(byte[] data, long fileBytes) throws Exception {
        assertLaidOutByTheRules(data, fileBytes, Long.MAX_VALUE);
    }

    private void assertLaidOutByTheRules(byte[] data, long fileBytes, long pipeLimit) throws Exception {
        Path copied = dir.resolve("copied");
        var stats = copy(data, copied, fileBytes);
        var expected = RotationModel.layout(data, fileBytes, pipeLimit);
        var files = indexes(copied, "t.stdout");
        assertEquals(expected.size(), files.size(), "number of files");
        for (int i = 0; i < expected.size(); i++) {
            byte[] actual = Files.readAllBytes(copied.resolve("t.stdout." + files.get(i)));
            assertTrue(java.util.Arrays.equals(expected.get(i), actual), "file " + files.get(i) + " differs: "
                    + actual.length + " bytes, the rules say " + expected.get(i).length);
        }
        var out = new ByteArrayOutputStream();
        for (int i : files) out.write(Files.readAllBytes(copied.resolve("t.stdout." + i)));
        assertTrue(java.util.Arrays.equals(data, out.toByteArray()), "copied files do not add up to the data");
        assertEquals(new LogStats.Stream(data.length, LogCountsTest.newlines(data), 0, 0), stats, "copied");
    }

    /** Writes {@code data} into a real fifo in irregular pieces while a FifoCopier copies it; its counters. */
    private LogStats.Stream copy(byte[] data, Path logs, long fileBytes) throws Exception {
        Path fifo = dir.resolve("f" + System.nanoTime());
        var holds = new FifoHolds(Duration.ofSeconds(1));
        var rotator = FileRotator.open(logs, "t.stdout", 100_000, fileBytes, NO_IDLE_FLUSH);
        var copier = FifoCopier.start(fifo, rotator, holds, "t");
        try (var writer = FileChannel.open(fifo, StandardOpenOption.WRITE)) {
            var random = new Random(3);
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + random.nextInt(300_000));
                var b = ByteBuffer.wrap(data, off, n);
                while (b.hasRemaining()) writer.write(b);
                off += n;
            }
        }
        copier.beginStop();
        assertTrue(copier.finishStop(System.nanoTime() + 10_000_000_000L, holds), "EOF once the writer closed");
        rotator.close();
        return rotator.stats();
    }

    /** About {@code total} bytes of lines: mostly short, some around and beyond the file size. */
    private static byte[] lines(Random random, int total, int fileBytes) throws IOException {
        var out = new ByteArrayOutputStream();
        int i = 0;
        while (out.size() < total) {
            int kind = random.nextInt(100);
            int len = kind < 90 ? 1 + random.nextInt(200)
                    : kind < 95 ? fileBytes - 2 + random.nextInt(5) // around the file size
                    : 1 + random.nextInt(3 * fileBytes);
            byte c = (byte) ('a' + i++ % 26);
            for (int k = 0; k < len - 1; k++) out.write(c);
            out.write('\n');
        }
        out.write('z'); // ends in a partial line
        return out.toByteArray();
    }
}
