package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.indexes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.logmon.LogStats;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A rotator's counters: what reached the files, what a failing disk made it drop, and what a successor resumes. */
@Timeout(60)
class LogCountsTest {
    private static final Duration NO_IDLE_FLUSH = Duration.ofHours(1);

    @TempDir
    Path dir;

    /** {@code lines} numbered lines of 10..200 bytes; the last one without its newline when {@code partialEnd}. */
    static byte[] lines(Random random, int lines, boolean partialEnd) {
        var sb = new StringBuilder();
        for (int i = 0; i < lines; i++) sb.append(i).append(' ').append("x".repeat(random.nextInt(190))).append('\n');
        if (partialEnd) sb.setLength(sb.length() - 1);
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /** Writes {@code data} through the fifo in irregular pieces; returns how many pieces saw a write fail. */
    static int writeInPieces(PipeFeed r, byte[] data, Random random) {
        int failed = 0;
        for (int off = 0; off < data.length; ) {
            int n = Math.min(data.length - off, 1 + random.nextInt(20_000));
            try {
                r.write(data, off, n);
            } catch (IOException e) {
                failed++;
            }
            off += n;
        }
        return failed;
    }

    static long newlines(byte[] data) {
        long n = 0;
        for (byte b : data) if (b == '\n') n++;
        return n;
    }

    /** Bytes and newlines of every {@code <base>.N} file in {@code dir}. */
    static long[] inFiles(Path dir, String base) throws IOException {
        long bytes = 0, lines = 0;
        for (int i : indexes(dir, base)) {
            byte[] b = Files.readAllBytes(dir.resolve(base + "." + i));
            bytes += b.length;
            lines += newlines(b);
        }
        return new long[] {bytes, lines};
    }

    private PipeFeed feed(FileRotator r) throws IOException {
        return PipeFeed.of(r, dir.resolve("fifo" + fifos++));
    }

    private int fifos;

    @Test
    void countsWhatReachesTheFilesAcrossRotationsAndPurges() throws IOException {
        var random = new Random(5);
        byte[] data = lines(random, 20_000, true);
        FileRotator r = FileRotator.open(dir, "t.stdout", 3, 50_000, NO_IDLE_FLUSH);
        try (var feed = feed(r)) {
            assertEquals(0, writeInPieces(feed, data, random));
            var held = r.stats(); // the partial last line is still held (in the fifo)
            assertEquals(newlines(data), held.linesWritten());
            int lastLine = new String(data, StandardCharsets.US_ASCII).lastIndexOf('\n') + 1;
            assertEquals(lastLine, held.bytesWritten(), "all but the held last line");
        }
        // Purged files count too: counters are what was written, not what is kept.
        assertEquals(new LogStats.Stream(data.length, newlines(data), 0, 0), r.stats());
        assertEquals(3, indexes(dir, "t.stdout").size());
        assertTrue(inFiles(dir, "t.stdout")[0] < data.length);
    }

    @Test
    void aSuccessorResumesFromTheCheckpointAndWhatTheFilesHoldBeyondIt() throws IOException {
        var random = new Random(6);
        byte[] first = lines(random, 5_000, false), second = lines(random, 3_000, false);
        // A logmon that dies (kill -9): never closed, its last checkpoint is from its last rotation.
        var dead = FileRotator.open(dir, "t.stdout", 4, 40_000, NO_IDLE_FLUSH);
        writeInPieces(feed(dead), first, random);
        assertTrue(dead.currentIndex() > 4, "rotated and purged: " + dead.currentIndex());
        var next = FileRotator.open(dir, "t.stdout", 4, 40_000, NO_IDLE_FLUSH);
        try (var feed = feed(next)) {
            assertEquals(new LogStats.Stream(first.length, newlines(first), 0, 0), next.stats());
            writeInPieces(feed, second, random);
        }
        // A clean stop and start (a config change, a task restart) continues from the checkpoint alone.
        try (var third = FileRotator.open(dir, "t.stdout", 4, 40_000, NO_IDLE_FLUSH)) {
            assertEquals(new LogStats.Stream(first.length + second.length, newlines(first) + newlines(second), 0, 0),
                    third.stats());
        }
    }

    @Test
    void withoutACheckpointExistingFilesAreCountedOnce() throws IOException {
        Files.writeString(dir.resolve("t.stdout.0"), "a\nb\n");
        Files.writeString(dir.resolve("t.stdout.1"), "c\nd");
        try (var r = FileRotator.open(dir, "t.stdout", 5, 1000, NO_IDLE_FLUSH)) {
            assertEquals(new LogStats.Stream(7, 3, 0, 0), r.stats());
        }
        try (var r = FileRotator.open(dir, "t.stdout", 5, 1000, NO_IDLE_FLUSH)) {
            assertEquals(new LogStats.Stream(7, 3, 0, 0), r.stats(), "counted once, then from the checkpoint");
        }
    }

    @Test
    void whatAFullDiskRefusesIsCountedAsDropped() throws Exception {
        var random = new Random(7);
        byte[] data = lines(random, 3_000, false); // ~300 KB onto a 64 KiB file system
        Path logs = dir.resolve("tiny");
        try (var disk = TinyDisk.mount(logs, 64)) {
            FileRotator r = FileRotator.open(logs, "t.stdout", 10, 20_000, NO_IDLE_FLUSH);
            var feed = feed(r);
            int failed = writeInPieces(feed, data, random);
            try {
                feed.close();
            } catch (IOException e) {
                // the held rest, if any, could not be written either: dropped
            }
            assertTrue(failed > 0, "the disk filled up");
            var s = r.stats();
            long[] kept = inFiles(logs, "t.stdout");
            assertEquals(kept[0], s.bytesWritten(), "written = what the files hold (no purge: 10 files of 20 KB fit no more than the disk)");
            assertEquals(kept[1], s.linesWritten());
            assertEquals(data.length, s.bytesWritten() + s.bytesDropped());
            assertEquals(newlines(data), s.linesWritten() + s.linesDropped());
            assertTrue(s.linesDropped() > 1000, s.toString());
        }
    }
}
