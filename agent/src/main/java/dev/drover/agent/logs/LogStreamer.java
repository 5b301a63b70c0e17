package dev.drover.agent.logs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * Reads a task's rotated log files ({@code <task>.<stdout|stderr>.<N>}) as one stream: from an
 * offset counted from the start or the end, across rotations, and, when following, waiting for
 * more until the task is dead and everything written has been sent.
 */
public final class LogStreamer {
    private static final long POLL_MILLIS = 100;

    /** Where to start reading: file index and byte position inside it. */
    record Position(int index, long offset) {}

    private final Path logDir;
    private final String base;
    private final Pattern filePattern;

    public LogStreamer(Path logDir, String task, String type) {
        this.logDir = logDir;
        this.base = task + "." + type;
        this.filePattern = Pattern.compile(Pattern.quote(base) + "\\.(\\d+)");
    }

    /** The indexes of existing files, oldest first. */
    List<Integer> indexes() {
        var out = new ArrayList<Integer>();
        try (var files = Files.list(logDir)) {
            files.forEach(f -> {
                var m = filePattern.matcher(f.getFileName().toString());
                if (m.matches()) out.add(Integer.parseInt(m.group(1)));
            });
        } catch (IOException e) {
            return List.of();
        }
        out.sort(null);
        return out;
    }

    private Path file(int index) {
        return logDir.resolve(base + "." + index);
    }

    private long size(int index) {
        try {
            return Files.size(file(index));
        } catch (IOException e) {
            return 0;
        }
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
    public void stream(long offset, boolean fromEnd, boolean follow, BooleanSupplier taskDead, OutputStream out)
            throws IOException, InterruptedException {
        var pos = start(offset, fromEnd);
        int index = pos.index();
        long at = pos.offset();
        byte[] buf = new byte[64 * 1024];
        int lastAtStart = indexes().isEmpty() ? 0 : indexes().getLast();
        while (true) {
            // Read before looking: whatever the task wrote before it died is already in the files.
            boolean deadBefore = taskDead.getAsBoolean();
            long copied = 0;
            try (var file = new RandomAccessFile(file(index).toFile(), "r")) {
                file.seek(at);
                int n;
                while ((n = file.read(buf)) > 0) {
                    out.write(buf, 0, n);
                    at += n;
                    copied += n;
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
                out.flush(); // also notices a client that went away
                Thread.sleep(POLL_MILLIS);
            }
        }
    }
}
