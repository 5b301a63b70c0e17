package dev.drover.logmon;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A task writing numbered lines into a fifo, run as a process of its own ({@code main}), and the
 * check of what arrived. Lines are {@code "<n> <padding>\n"} with a padding whose length depends on
 * n (0..59 bytes; every 20,000th line 100 KiB, longer than the fifo's default pipe), so a line
 * cut, lost, repeated or glued to another shows.
 *
 * <p>The writer opens the fifo read-write, as the executor hands it to a task: with no logmon
 * reading, its writes block instead of failing. It trickles (about 1 MiB/s, pieces of random size
 * that cut lines anywhere, pauses in the middle of lines) and floods as fast as the fifo takes it
 * whenever a line {@code flood BYTES} arrives on its stdin. When stdin closes it ends its last
 * line, closes the fifo and prints the last number.
 */
final class NumberedLines {
    private NumberedLines() {}

    private static final long TRICKLE_BYTES_PER_SECOND = 1 << 20;

    static String line(long n) {
        int pad = n % 20_000 == 0 ? 100 * 1024 : (int) ((n * 2654435761L >>> 8) % 60);
        return n + " " + "x".repeat(pad) + "\n";
    }

    /** Usage: NumberedLines FIFO SEED */
    public static void main(String[] args) throws Exception {
        Path fifo = Path.of(args[0]);
        var random = new Random(Long.parseLong(args[1]));
        var done = new AtomicBoolean();
        var flood = new AtomicLong();
        Thread.ofPlatform().daemon().start(() -> {
            try (var in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
                for (String command; (command = in.readLine()) != null; ) {
                    if (command.startsWith("flood ")) flood.addAndGet(Long.parseLong(command.substring(6)));
                }
            } catch (IOException ignored) {
                // stdin gone: finish too
            }
            done.set(true);
        });
        long n = 0, trickled = 0, start = System.nanoTime();
        byte[] pending = new byte[0];
        int at = 0;
        try (var out = FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            while (true) {
                if (at == pending.length) {
                    if (done.get()) break; // every line written whole
                    var sb = new StringBuilder();
                    while (sb.length() < 64 * 1024) sb.append(line(++n));
                    pending = sb.toString().getBytes(StandardCharsets.US_ASCII);
                    at = 0;
                }
                boolean flooding = flood.get() > 0;
                int size = switch (random.nextInt(4)) {
                    case 0 -> 1 + random.nextInt(64);
                    case 1 -> 1 + random.nextInt(4096);
                    default -> 1 + random.nextInt(64 * 1024);
                };
                size = Math.min(size, pending.length - at);
                var b = ByteBuffer.wrap(pending, at, size);
                while (b.hasRemaining()) out.write(b);
                at += size;
                if (flooding) {
                    flood.addAndGet(-size);
                    start = System.nanoTime();
                    trickled = 0;
                    continue;
                }
                trickled += size;
                long ahead = trickled * 1_000_000_000L / TRICKLE_BYTES_PER_SECOND - (System.nanoTime() - start);
                if (ahead > 0) Thread.sleep(ahead / 1_000_000, (int) (ahead % 1_000_000));
                if (random.nextInt(50) == 0) Thread.sleep(random.nextInt(20)); // now and then in the middle of a line
            }
        }
        System.out.println(n);
    }

    /** What {@link #check} found: lines as expected, and every kind of deviation. */
    record Check(long good, long bytes, long missing, long duplicated, long garbled, List<String> examples) {
        boolean exact(long lines) {
            return good == lines && missing == 0 && duplicated == 0 && garbled == 0;
        }
    }

    /** Reads {@code files} as one stream and compares it with lines 1..{@code last}. */
    static Check check(List<Path> files, long last) throws IOException {
        long good = 0, bytes = 0, missing = 0, duplicated = 0, garbled = 0, expected = 1;
        var examples = new ArrayList<String>();
        var text = new StringBuilder();
        var lines = new ArrayList<String>();
        for (int f = 0; f <= files.size(); f++) {
            if (f < files.size()) {
                byte[] content = Files.readAllBytes(files.get(f));
                bytes += content.length;
                text.append(new String(content, StandardCharsets.US_ASCII));
            }
            int from = 0;
            for (int nl; (nl = text.indexOf("\n", from)) >= 0; from = nl + 1) lines.add(text.substring(from, nl + 1));
            text.delete(0, from);
            if (f == files.size() && !text.isEmpty()) lines.add(text.toString()); // a last line without newline
            for (String line : lines) {
                long number = number(line);
                if (number > 0 && line.equals(line(number))) {
                    if (number == expected) {
                        good++;
                    } else if (number < expected) {
                        duplicated++;
                        if (examples.size() < 5) examples.add("line " + number + " again after " + (expected - 1));
                    } else {
                        missing += number - expected;
                        if (examples.size() < 5) examples.add("lines " + expected + ".." + (number - 1) + " missing");
                    }
                    expected = Math.max(expected, number + 1);
                } else {
                    garbled++;
                    if (examples.size() < 5) examples.add("garbled after line " + (expected - 1) + ": " + abbreviate(line));
                }
            }
            lines.clear();
        }
        missing += Math.max(0, last + 1 - expected);
        if (expected <= last && examples.size() < 5) examples.add("lines " + expected + ".." + last + " missing at the end");
        return new Check(good, bytes, missing, duplicated, garbled, examples);
    }

    private static long number(String text) {
        int space = text.indexOf(' ');
        if (space <= 0 || space > 19) return -1;
        try {
            return Long.parseLong(text.substring(0, space));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviate(String s) {
        s = s.replace("\n", "\\n");
        return s.length() <= 60 ? s : s.substring(0, 30) + "…(" + s.length() + " bytes)…" + s.substring(s.length() - 20);
    }
}
