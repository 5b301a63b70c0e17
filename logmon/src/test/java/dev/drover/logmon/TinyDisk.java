package dev.drover.logmon;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A real, small file system (tmpfs) that fills up: writes beyond its size fail with ENOSPC. Needs root. */
final class TinyDisk implements AutoCloseable {
    final Path root;

    private TinyDisk(Path root) {
        this.root = root;
    }

    static TinyDisk mount(Path at, int kib) throws IOException, InterruptedException {
        Files.createDirectories(at);
        var p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=" + kib + "k", "tmpfs", at.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) fail("cannot mount a " + kib + " KiB tmpfs at " + at + " (the test needs root): " + out);
        return new TinyDisk(at);
    }

    @Override
    public void close() throws IOException, InterruptedException {
        new ProcessBuilder("umount", "-l", root.toString()).inheritIO().start().waitFor();
    }
}
