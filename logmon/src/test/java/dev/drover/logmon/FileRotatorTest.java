package dev.drover.logmon;

import static dev.drover.logmon.LogFiles.contents;
import static dev.drover.logmon.LogFiles.indexes;
import static dev.drover.logmon.LogFiles.read;
import static dev.drover.logmon.LogFiles.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRotatorTest {
    private static final Duration NO_IDLE_FLUSH = Duration.ofHours(1);

    @TempDir
    Path dir;

    /** A rotator fed through a real fifo, as the copier feeds it (PipeFeed); closing it ends the stream. */
    private PipeFeed rotator(int maxFiles, long maxBytes) throws IOException {
        return PipeFeed.of(FileRotator.open(dir, "web.stdout", maxFiles, maxBytes, NO_IDLE_FLUSH), dir.resolve("fifo" + fifos++));
    }

    private int fifos;

    private static void write(PipeFeed r, String s) throws IOException {
        r.write(s);
    }

    @Test
    void rotatesBeforeALineThatDoesNotFit() throws IOException {
        try (var r = rotator(10, 10)) {
            write(r, "aaa\nbbb\n"); // 8 bytes
            write(r, "cc\n");       // 11 > 10: starts web.stdout.1
            write(r, "dddd\neeee\n");
            // 10 bytes without newline: with it the line is 11 > 10, so it is split by bytes,
            // filling the current file first.
            write(r, "0123456789");
            write(r, "\n");
        }
        assertEquals(List.of("aaa\nbbb\n", "cc\ndddd\n", "eeee\n01234", "56789\n"), contents(dir, "web.stdout"));
        assertEquals(List.of(0, 1, 2, 3), indexes(dir, "web.stdout"));
    }

    @Test
    void aLineOfExactlyTheFileSizeFillsAFileOfItsOwn() throws IOException {
        try (var r = rotator(10, 10)) {
            write(r, "ab\n");
            write(r, "012345678\n"); // 10 bytes: a file of its own, unsplit
            write(r, "x\n");
        }
        assertEquals(List.of("ab\n", "012345678\n", "x\n"), contents(dir, "web.stdout"));
    }

    @Test
    void neverSplitsALineShorterThanTheFile() throws IOException {
        var random = new Random(42);
        var all = new StringBuilder();
        for (int i = 0; i < 1200; i++) {
            int len = 1 + random.nextInt(31); // up to 32 bytes with the newline = the file size
            all.append(String.valueOf((char) ('a' + i % 26)).repeat(len)).append('\n');
        }
        byte[] bytes = all.toString().getBytes(StandardCharsets.UTF_8);
        try (var r = rotator(100_000, 32)) {
            int off = 0;
            while (off < bytes.length) { // arbitrary pieces, cutting lines anywhere
                int n = Math.min(bytes.length - off, 1 + random.nextInt(50));
                r.write(bytes, off, n);
                off += n;
            }
        }
        var files = contents(dir, "web.stdout");
        assertEquals(all.toString(), String.join("", files));
        for (var content : files) {
            assertTrue(content.length() <= 32, "file larger than the max: " + content.length());
            assertTrue(content.endsWith("\n"), "file ends inside a line: " + content);
        }
        assertTrue(files.size() > 400, "expected many rotations, got " + files.size());
    }

    @Test
    void splitsALineLongerThanTheFileByBytes() throws IOException {
        String line = "0123456789abcdef".repeat(3); // 3 x the 16-byte max, no newline
        try (var r = rotator(10, 16)) {
            for (int i = 0; i < line.length(); i += 5) write(r, line.substring(i, Math.min(line.length(), i + 5)));
            assertEquals(2, r.rotator().currentIndex(), "rotation is lazy: no empty file after the last full one");
            write(r, "\nnext\n"); // the long line's newline lands in the next file, then a normal line
        }
        assertEquals(List.of("0123456789abcdef", "0123456789abcdef", "0123456789abcdef", "\nnext\n"),
                contents(dir, "web.stdout"));
    }

    @Test
    void aLongLineFillsTheRestOfTheCurrentFileFirst() throws IOException {
        try (var r = rotator(10, 16)) {
            write(r, "hello\n");
            write(r, "x".repeat(30) + "\nafter\n");
        }
        assertEquals(List.of("hello\n" + "x".repeat(10), "x".repeat(16), "x".repeat(4) + "\nafter\n"), contents(dir, "web.stdout"));
    }

    @Test
    void continuesAppendingToTheHighestIndex() throws IOException {
        Files.writeString(dir.resolve("web.stdout.0"), "zero\n");
        Files.writeString(dir.resolve("web.stdout.3"), "three\n");
        Files.writeString(dir.resolve("web.stdout.old"), "not ours\n");
        Files.writeString(dir.resolve("web.stdout.10x"), "not ours\n");
        try (var r = rotator(10, 16)) {
            assertEquals(3, r.rotator().currentIndex());
            write(r, "more\n");      // 6 + 5 fits
            write(r, "and more\n");  // 11 + 9 does not
        }
        assertEquals("three\nmore\n", read(dir.resolve("web.stdout.3")));
        assertEquals("and more\n", read(dir.resolve("web.stdout.4")));
        assertEquals("zero\n", read(dir.resolve("web.stdout.0")));
        assertEquals("not ours\n", read(dir.resolve("web.stdout.old")));
        // A restart of the rotator resumes in .4, not in a new file.
        try (var r = rotator(10, 16)) {
            write(r, "x\n");
        }
        assertEquals("and more\nx\n", read(dir.resolve("web.stdout.4")));
    }

    @Test
    void purgeKeepsExactlyTheNewestMaxFiles() throws IOException {
        Files.writeString(dir.resolve("web.stdout.keep"), "not ours\n");
        Files.writeString(dir.resolve("web.stderr.0"), "other stream\n");
        try (var r = rotator(3, 8)) {
            for (int i = 0; i < 20; i++) write(r, "line" + (i % 10) + "\n"); // 6 bytes: one line per file
            assertEquals(19, r.rotator().currentIndex());
        }
        assertEquals(List.of(17, 18, 19), indexes(dir, "web.stdout"));
        assertEquals("line7\n", read(dir.resolve("web.stdout.17")));
        assertTrue(Files.exists(dir.resolve("web.stdout.keep")));
        assertTrue(Files.exists(dir.resolve("web.stderr.0")));
        // Opening with a smaller max_files purges at once.
        rotator(1, 8).close();
        assertEquals(List.of(19), indexes(dir, "web.stdout"));
    }

    @Test
    void aPartialLineWaitsInTheFifoUntilItsNewlineOrTheEndOfTheStream() throws IOException {
        try (var r = rotator(10, 100)) {
            write(r, "one\ntw");
            assertEquals("one\n", readAll(dir, "web.stdout"));
            assertEquals(2, r.rotator().held(), "the partial line is held in the fifo, not written");
            write(r, "o\nlast words without newline");
            assertEquals("one\ntwo\n", readAll(dir, "web.stdout"));
        }
        assertEquals("one\ntwo\nlast words without newline", readAll(dir, "web.stdout"), "written at the end of the stream");
    }
}
