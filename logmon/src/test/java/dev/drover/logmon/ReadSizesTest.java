package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.contents;
import static dev.drover.logmon.LogFiles.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.logmon.LogStats;
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
 * real fifo by a {@link FifoCopier} (small reads, then large ones under a flood, cut anywhere)
 * lays out the files exactly as one {@link FileRotator#write} of everything, and counts the same.
 */
@Timeout(60)
class ReadSizesTest {
    private static final Duration NO_IDLE_FLUSH = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void smallFilesWithLinesOfEveryKind() throws Exception {
        // Files smaller than a read; lines shorter than, exactly as long as and longer than a file.
        assertSameFilesAsOneWrite(lines(new Random(1), 3 << 20, 4096), 4096);
    }

    @Test
    void largeFilesWithLinesLongerThanARead() throws Exception {
        assertSameFilesAsOneWrite(lines(new Random(2), 6 << 20, 100 * 1024), 100 * 1024);
    }

    @Test
    void outputWithoutAnyNewlineIsSplitByBytes() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 123];
        java.util.Arrays.fill(data, (byte) 'x');
        assertSameFilesAsOneWrite(data, 100 * 1024);
    }

    @Test
    void aRotationInTheMiddleOfOneLargeRead() throws Exception {
        // 64-byte lines, files of 10000 bytes: not a multiple, so each file ends 16 bytes short
        // and the line crossing each boundary starts the next file, inside one 1 MiB read.
        var all = new StringBuilder();
        for (int i = 0; all.length() < 900_000; i++) all.append("%063d\n".formatted(i));
        byte[] data = all.toString().getBytes(StandardCharsets.US_ASCII);
        assertSameFilesAsOneWrite(data, 10_000);
        var files = contents(dir.resolve("copied"), "t.stdout");
        assertEquals(all.toString(), String.join("", files));
        for (var f : files.subList(0, files.size() - 1)) assertEquals(9984, f.length());
    }

    private void assertSameFilesAsOneWrite(byte[] data, long fileBytes) throws Exception {
        Path once = dir.resolve("once"), copied = dir.resolve("copied");
        var r = FileRotator.open(once, "t.stdout", 100_000, fileBytes, NO_IDLE_FLUSH);
        try (r) {
            r.write(data);
        }
        var stats = copy(data, copied, fileBytes);
        assertEquals(indexes(once, "t.stdout"), indexes(copied, "t.stdout"));
        for (int i : indexes(once, "t.stdout")) {
            assertEquals(-1L, Files.mismatch(once.resolve("t.stdout." + i), copied.resolve("t.stdout." + i)), "file " + i + " differs");
        }
        var out = new ByteArrayOutputStream();
        for (int i : indexes(copied, "t.stdout")) out.write(Files.readAllBytes(copied.resolve("t.stdout." + i)));
        assertTrue(java.util.Arrays.equals(data, out.toByteArray()), "copied files do not add up to the data");
        var all = new LogStats.Stream(data.length, LogCountsTest.newlines(data), 0, 0);
        assertEquals(all, r.stats(), "one write");
        assertEquals(all, stats, "copied");
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
