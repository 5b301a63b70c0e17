package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.contents;
import static dev.drover.logmon.LogFiles.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.nativ.Native;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zero-copy path ({@link FileRotator#splice} through a {@link PipeTap}) must lay out the files
 * exactly as {@link FileRotator#write} does: where files end depends only on the lines, not on how
 * the bytes arrive or which path took them.
 */
@Timeout(60)
class SpliceTest {
    private static final Duration NO_IDLE_FLUSH = Duration.ofHours(1);

    @TempDir
    Path dir;

    @Test
    void smallFilesWithLinesOfEveryKind() throws Exception {
        // Files smaller than the peek window; lines shorter than, exactly as long as and longer than a file.
        assertSameFilesAsWrite(lines(new Random(1), 3 << 20, 4096), 4096, 100_000);
    }

    @Test
    void largeFilesWithLinesLongerThanThePeekWindow() throws Exception {
        // Rotation boundaries inside large teed chunks; long lines leave peek windows without a newline.
        assertSameFilesAsWrite(lines(new Random(2), 6 << 20, 100 * 1024), 100 * 1024, 100_000);
    }

    @Test
    void outputWithoutAnyNewlineIsSplitByBytes() throws Exception {
        byte[] data = new byte[3 * 1024 * 1024 + 123];
        java.util.Arrays.fill(data, (byte) 'x');
        assertSameFilesAsWrite(data, 100 * 1024, 0); // no line end to cut at: all through write
    }

    @Test
    void aRotationInTheMiddleOfOneLargeChunk() throws Exception {
        // 64-byte lines, files of 10000 bytes: not a multiple, so each file ends 16 bytes short
        // and the line crossing each boundary starts the next file, all inside one 1 MiB tee.
        var all = new StringBuilder();
        for (int i = 0; all.length() < 900_000; i++) all.append("%063d\n".formatted(i));
        byte[] data = all.toString().getBytes(StandardCharsets.US_ASCII);
        var spliced = splice(data, dir.resolve("spliced"), 10_000);
        assertTrue(spliced > data.length * 0.9, "the tap moved only " + spliced + " of " + data.length + " bytes");
        var files = contents(dir.resolve("spliced"), "t.stdout");
        assertEquals(all.toString(), String.join("", files));
        for (var f : files.subList(0, files.size() - 1)) assertEquals(9984, f.length());
    }

    /** Compares the files of both paths; the tap must have moved at least {@code minSpliced} bytes. */
    private void assertSameFilesAsWrite(byte[] data, long fileBytes, long minSpliced) throws Exception {
        Path viaWrite = dir.resolve("write"), viaSplice = dir.resolve("splice");
        var random = new Random(7);
        try (var r = FileRotator.open(viaWrite, "t.stdout", 100_000, fileBytes, NO_IDLE_FLUSH)) {
            for (int off = 0; off < data.length; ) {
                int n = Math.min(data.length - off, 1 + random.nextInt(200_000));
                r.write(data, off, n);
                off += n;
            }
        }
        long spliced = splice(data, viaSplice, fileBytes);
        assertTrue(spliced >= minSpliced, "the tap moved only " + spliced + " of " + data.length + " bytes");
        assertEquals(indexes(viaWrite, "t.stdout"), indexes(viaSplice, "t.stdout"));
        for (int i : indexes(viaWrite, "t.stdout")) {
            assertEquals(-1L, Files.mismatch(viaWrite.resolve("t.stdout." + i), viaSplice.resolve("t.stdout." + i)),
                    "file " + i + " differs");
        }
        var out = new ByteArrayOutputStream();
        for (int i : indexes(viaSplice, "t.stdout")) out.write(Files.readAllBytes(viaSplice.resolve("t.stdout." + i)));
        assertTrue(java.util.Arrays.equals(data, out.toByteArray()), "spliced files do not add up to the data");
    }

    /**
     * Feeds {@code data} through a real fifo in irregular pieces and copies it as FifoCopier does:
     * the tap first, a small read when it declines. Returns the bytes the tap moved.
     */
    private long splice(byte[] data, Path logs, long fileBytes) throws Exception {
        Path fifo = dir.resolve("f" + System.nanoTime());
        Native.mkfifo(fifo, 0600);
        try (var writerEnd = FifoCopier.openReadWrite(fifo);
             var reader = java.nio.channels.FileChannel.open(fifo, java.nio.file.StandardOpenOption.READ);
             var rotator = FileRotator.open(logs, "t.stdout", 100_000, fileBytes, NO_IDLE_FLUSH);
             var tap = PipeTap.open(fifo)) {
            var writer = Thread.ofPlatform().start(() -> {
                var random = new Random(3);
                try {
                    for (int off = 0; off < data.length; ) {
                        int n = Math.min(data.length - off, 1 + random.nextInt(300_000));
                        var b = ByteBuffer.wrap(data, off, n);
                        while (b.hasRemaining()) writerEnd.write(b);
                        off += n;
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long copied = 0, spliced = 0;
            var small = ByteBuffer.allocateDirect(FifoCopier.SMALL_READ);
            while (copied < data.length) {
                long moved = rotator.splice(tap);
                if (moved > 0) {
                    spliced += moved;
                    copied += moved;
                    continue;
                }
                small.clear();
                copied += reader.read(small);
                rotator.write(small.flip());
            }
            writer.join();
            return spliced;
        }
    }

    /** About {@code total} bytes of lines: mostly short, some around and beyond the file size. */
    private static byte[] lines(Random random, int total, int fileBytes) {
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
