package dev.drover.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/** Reading and writing cgroupfs files, shared by the v1 and v2 code. Missing files read as empty. */
final class CgroupIO {
    private CgroupIO() {}

    /**
     * One write(2) of the whole value, as the kernel wants. No O_CREAT: a missing interface file
     * means a missing controller, not something to create. O_TRUNC is a no-op on cgroupfs (it is
     * what `echo 1 > file` does) and keeps plain-file test trees from keeping stale tails.
     */
    static void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Writes a limit, naming the file and value when the kernel refuses it. */
    static void set(Path dir, String file, String value) throws IOException {
        try {
            write(dir.resolve(file), value);
        } catch (IOException e) {
            throw new IOException("cannot write \"" + value + "\" to " + dir.resolve(file) + ": " + reason(e), e);
        }
    }

    static void set(Path dir, String file, long value) throws IOException {
        set(dir, file, Long.toString(value));
    }

    /** The errno text of a FileSystemException ("Invalid argument"), not its repeated path. */
    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) return "no such file";
        if (e instanceof FileSystemException fs && fs.getReason() != null) return fs.getReason();
        return String.valueOf(e.getMessage());
    }

    static Optional<String> read(Path file) {
        try {
            return Optional.of(Files.readString(file));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static OptionalLong readLong(Path file) {
        var text = read(file).map(String::trim).filter(s -> !s.isEmpty() && !s.equals("max"));
        if (text.isEmpty()) return OptionalLong.empty();
        try {
            return OptionalLong.of(Long.parseLong(text.get()));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** "key value" lines, as in memory.stat, cpu.stat, memory.events, memory.oom_control. */
    static Map<String, Long> readKeyed(Path file) {
        var map = new HashMap<String, Long>();
        read(file).ifPresent(text -> text.lines().forEach(line -> {
            String[] kv = line.trim().split("\\s+");
            if (kv.length == 2) {
                try {
                    map.put(kv[0], Long.parseLong(kv[1]));
                } catch (NumberFormatException ignored) {
                    // not a counter
                }
            }
        }));
        return map;
    }

    /** The pids listed in a cgroup.procs file. */
    static Set<Integer> procs(Path dir) {
        var pids = new LinkedHashSet<Integer>();
        read(dir.resolve("cgroup.procs")).ifPresent(text -> text.lines()
                .map(String::trim).filter(s -> !s.isEmpty()).forEach(s -> pids.add(Integer.parseInt(s))));
        return pids;
    }

    /**
     * Removes a cgroup directory. rmdir fails with EBUSY while the kernel still holds exiting tasks
     * in it, so retry for a short while.
     *
     * @return true when the directory is gone
     */
    static boolean rmdir(Path dir, long timeoutMillis) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (true) {
            try {
                Files.delete(dir);
                return true;
            } catch (NoSuchFileException e) {
                return true;
            } catch (FileSystemException e) {
                if (System.currentTimeMillis() >= deadline) return false;
            } catch (IOException e) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }
}
