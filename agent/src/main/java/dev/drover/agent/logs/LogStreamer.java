package dev.drover.agent.logs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Reads a task's rotated log files ({@code <task>.<stdout|stderr>.<N>}) as one stream: from an
 * offset counted from the start or the end, or from a position in one named file, across
 * rotations, and, when following, waiting for more until the task is dead and everything written
 * has been sent.
 *
 * <p>Every chunk goes to the {@link Sink} with the file it came from and the offset in that file
 * just after it, so a follower whose connection broke (an agent restart) can resume exactly there
 * with {@link Start.InFile}: offsets counted over the whole stream would shift when the oldest
 * file is purged.
 */
public final class LogStreamer {
    private static final long POLL_MILLIS = 100;

    /** Where to start reading. */
    public sealed interface Start {
        /** {@code offset} bytes from the start of the oldest file kept, or back from the end of the newest. */
        record Offset(long offset, boolean fromEnd) implements Start {}

        /** At {@code offset} in the file named {@code file}; a file already purged resumes at the oldest one left. */
        record InFile(String file, long offset) implements Start {}
    }

    /** Receives the stream. */
    public interface Sink {
        /** {@code len} bytes of {@code b}, read from {@code file} and ending at {@code offsetAfter} in it. */
        void write(String file, long offsetAfter, byte[] b, int len) throws IOException;

        void flush() throws IOException;

        /** Called about every 100 ms while following and nothing new was written; a gone client shows here. */
        default void idle() throws IOException {
            flush();
        }
    }

    /** File index and byte position inside it. */
    record Position(int index, long offset) {}

    private final Path logDir;
    private final String base;
    private final Pattern filePattern;

    public LogStreamer(Path logDir, String task, String type) {
        this.logDir = logDir;
        this.base = task + "." + type;
        this.filePattern = Pattern.compile(Pattern.quote(base) + "\\.(\\d+)");
    }

    /** The index of a file of this stream by name ({@code web.stdout.3} → 3), empty for any other name. */
    public Optional<Integer> indexOf(String fileName) {
        var m = filePattern.matcher(fileName);
        if (!m.matches() || m.group(1).length() > 9) return Optional.empty();
        return Optional.of(Integer.parseInt(m.group(1)));
    }

    /** The indexes of existing files, oldest first. */
    List<Integer> indexes() {
        var out = new ArrayList<Integer>();
        try (var files = Files.list(logDir)) {
            files.forEach(f -> indexOf(f.getFileName().toString()).ifPresent(out::add));
        } catch (IOException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    private String name(int index) {
        return base + "." + index;
    }

    private long size(int index) {
        try {
            return Files.size(logDir.resolve(name(index)));
        } catch (IOException e) {
            return 0;
        }
    }

    Position start(Start start) {
        return switch (start) {
            case Start.Offset o -> start(o.offset(), o.fromEnd());
            case Start.InFile f -> {
                int index = indexOf(f.file()).orElseThrow(() -> new IllegalArgumentException("not a file of " + base + ": " + f.file()));
                var idx = indexes();
                // Purged meanwhile: what it held is gone, so go on with the oldest file kept.
                yield !idx.isEmpty() && index < idx.getFirst() ? new Position(idx.getFirst(), 0) : new Position(index, f.offset());
            }
        };
    }

    Position start(long offset, boolean fromEnd) {
        var idx = indexes();
        if (idx.isEmpty()) return new Position(0, 0);
        if (!fromEnd) {
            long left = offset;
            for (int i : idx) {
                long size = size(i);
                if (left < size) return new Position(i, left);
                left -= size;
            }
            int last = idx.getLast();
            return new Position(last, size(last));
        }
        long left = offset;
        for (int k = idx.size() - 1; k >= 0; k--) {
            long size = size(idx.get(k));
            if (left <= size) return new Position(idx.get(k), size - left);
            left -= size;
        }
        return new Position(idx.getFirst(), 0);
    }

    /**
     * Copies log bytes to {@code out}. Without follow it stops at the data present now; with follow
     * it ends once {@code taskDead} is true and nothing more arrived.
     */
    public void stream(Start from, boolean follow, BooleanSupplier taskDead, Sink out) throws IOException, InterruptedException {
        var pos = start(from);
        int index = pos.index();
        long at = pos.offset();
        byte[] buf = new byte[64 * 1024];
        var atStart = indexes();
        int lastAtStart = atStart.isEmpty() ? 0 : atStart.getLast();
        while (true) {
            // Read before looking: whatever the task wrote before it died is already in the files.
            boolean deadBefore = taskDead.getAsBoolean();
            long copied = 0;
            try (var file = new RandomAccessFile(logDir.resolve(name(index)).toFile(), "r")) {
                file.seek(at);
                int n;
                while ((n = file.read(buf)) > 0) {
                    at += n;
                    copied += n;
                    out.write(name(index), at, buf, n);
                }
            } catch (NoSuchFileException | java.io.FileNotFoundException e) {
                // Not created yet, or purged under us: continue with the oldest file still there.
                int current = index;
                int next = indexes().stream().filter(i -> i > current).findFirst().orElse(-1);
                if (next > current) {
                    index = next;
                    at = 0;
                    continue;
                }
            }
            if (copied > 0) out.flush();
            int current = index;
            int next = indexes().stream().filter(i -> i > current).findFirst().orElse(-1);
            if (next > current && (follow || current < lastAtStart)) {
                index = next; // this file is complete: rotation happens between writes
                at = 0;
                continue;
            }
            if (!follow) return;
            if (copied == 0) {
                if (deadBefore) return;
                out.idle();
                Thread.sleep(POLL_MILLIS);
            }
        }
    }
}
