package dev.drover.logmon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import dev.drover.sdk.logmon.LogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/** Test helpers: read rotated files back, build configs, wait for conditions. */
final class LogFiles {
    private LogFiles() {}

    /** Indexes of {@code <base>.<N>} in ascending order. */
    static List<Integer> indexes(Path dir, String base) {
        try (var files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString())
                    .filter(n -> n.matches(java.util.regex.Pattern.quote(base) + "\\.\\d+"))
                    .map(n -> Integer.parseInt(n.substring(base.length() + 1)))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** All files of a base concatenated in index order. */
    static String readAll(Path dir, String base) {
        var sb = new StringBuilder();
        for (int i : indexes(dir, base)) sb.append(read(dir.resolve(base + "." + i)));
        return sb.toString();
    }

    /** The contents of each file, in index order. */
    static List<String> contents(Path dir, String base) {
        var result = new ArrayList<String>();
        for (int i : indexes(dir, base)) result.add(read(dir.resolve(base + "." + i)));
        return result;
    }

    /** Asserts that {@code text} is exactly "{prefix}{from}\n" … "{prefix}{to}\n". */
    static void assertLines(String text, String prefix, int from, int to) {
        String[] lines = text.split("\n", -1);
        assertEquals(to - from + 2, lines.length, "line count (last element is the empty rest after the final newline)");
        for (int i = from; i <= to; i++) {
            if (!lines[i - from].equals(prefix + i)) fail("line " + (i - from) + " is \"" + lines[i - from] + "\", expected \"" + prefix + i + "\"");
        }
        assertEquals("", lines[lines.length - 1]);
    }

    static LogConfig config(Path allocDir, String task, int maxFiles, int maxFileSizeMB) {
        Path logs = allocDir.resolve("alloc/logs");
        return new LogConfig(logs.toString(), task + ".stdout", task + ".stderr",
                logs.resolve("." + task + ".stdout.fifo").toString(), logs.resolve("." + task + ".stderr.fifo").toString(),
                maxFiles, maxFileSizeMB);
    }

    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("timed out waiting for " + what);
            Thread.sleep(10);
        }
    }

    /**
     * Starts {@code sh -c script} (which redirects into the fifo itself). Its stderr is discarded
     * too: a leftover writer inheriting surefire's stderr pipe would keep Maven waiting.
     */
    static Process sh(String script) throws IOException {
        var process = new ProcessBuilder("sh", "-c", script)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(ProcessBuilder.Redirect.DISCARD)
                .start();
        STARTED.add(process);
        return process;
    }

    private static final List<Process> STARTED = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** Kills writers a failed test left behind (one blocked opening a fifo nobody reads, say). */
    static void killLeftovers() {
        STARTED.forEach(Process::destroyForcibly);
        STARTED.clear();
    }
}
