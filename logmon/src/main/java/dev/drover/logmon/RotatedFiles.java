package dev.drover.logmon;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.logging.Logger;

/** One stream's files {@code <dir>/<base>.<N>}: their names, which exist, and the purge of old ones. */
final class RotatedFiles {
    private static final Logger LOG = Logger.getLogger(RotatedFiles.class.getName());

    private final Path dir;
    private final String base;

    RotatedFiles(Path dir, String base) {
        if (base == null || base.isBlank() || base.contains("/")) throw new IllegalArgumentException("bad log file base: " + base);
        this.dir = dir;
        this.base = base;
    }

    Path dir() {
        return dir;
    }

    String base() {
        return base;
    }

    Path file(int n) {
        return dir.resolve(base + "." + n);
    }

    /** Indexes of the existing files, ascending; names with a non-numeric suffix are not ours. */
    List<Integer> indexes() throws IOException {
        var result = new ArrayList<Integer>();
        String prefix = base + ".";
        try (var files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                String name = p.getFileName().toString();
                if (name.startsWith(prefix)) parseIndex(name.substring(prefix.length())).ifPresent(result::add);
            }
        }
        result.sort(null);
        return result;
    }

    private static OptionalInt parseIndex(String suffix) {
        if (suffix.isEmpty() || suffix.length() > 9 || !suffix.chars().allMatch(c -> c >= '0' && c <= '9')) return OptionalInt.empty();
        return OptionalInt.of(Integer.parseInt(suffix));
    }

    /** Keeps the newest {@code keep} files: deletes the lowest indexes. */
    void purge(int keep) {
        List<Integer> all;
        try {
            all = indexes();
        } catch (IOException e) {
            LOG.warning("cannot list " + dir + " to purge old " + base + " files: " + e.getMessage());
            return;
        }
        for (int i = 0; i < all.size() - keep; i++) {
            try {
                Files.deleteIfExists(file(all.get(i)));
            } catch (IOException e) {
                LOG.warning("cannot delete old log file " + file(all.get(i)) + ": " + e.getMessage());
            }
        }
    }
}
