package dev.drover.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The local terminal for {@code alloc exec -t}: raw mode (so ^C, arrows and tab reach the remote
 * side as bytes) and its size. Uses {@code stty} on our own stdin rather than native calls: it is
 * on every Linux box, and the CLI stays free of native access.
 */
final class Terminal implements AutoCloseable {
    private final String saved;
    private volatile boolean restored;
    private final Thread restoreOnExit;

    private Terminal(String saved) {
        this.saved = saved;
        // Every exit path restores, including System.exit and SIGTERM/SIGHUP.
        this.restoreOnExit = new Thread(this::restore, "restore-terminal");
        Runtime.getRuntime().addShutdownHook(restoreOnExit);
    }

    /** True when our stdin is a terminal (what Nomad's -t defaults to). */
    static boolean stdinIsTerminal() {
        try {
            String target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
            return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException e) {
            return System.console() != null && System.console().isTerminal();
        }
    }

    /** Switches stdin's terminal to raw mode, remembering the settings to restore. */
    static Terminal raw() {
        String saved = stty("-g").orElseThrow(() -> new CliException("Error: cannot read the terminal settings (stty -g failed)")).trim();
        var terminal = new Terminal(saved);
        if (stty("raw", "-echo").isEmpty()) {
            terminal.close();
            throw new CliException("Error: cannot switch the terminal to raw mode (stty raw -echo failed)");
        }
        return terminal;
    }

    /** Rows and columns of stdin's terminal, if it is one. */
    static Optional<int[]> size() {
        return stty("size").map(String::trim).filter(s -> s.matches("\\d+ \\d+")).map(s -> {
            String[] parts = s.split(" ");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        }).filter(rc -> rc[0] > 0 && rc[1] > 0);
    }

    private static Optional<String> stty(String... args) {
        var command = new java.util.ArrayList<>(List.of("stty"));
        command.addAll(List.of(args));
        try {
            var process = new ProcessBuilder(command)
                    .redirectInput(ProcessBuilder.Redirect.INHERIT) // stty works on its stdin: ours
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            return process.waitFor() == 0 ? Optional.of(out) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    private synchronized void restore() {
        if (restored) return;
        restored = true;
        stty(saved);
    }

    @Override
    public void close() {
        restore();
        try {
            Runtime.getRuntime().removeShutdownHook(restoreOnExit);
        } catch (IllegalStateException e) {
            // already shutting down: the hook runs (and finds nothing left to do)
        }
    }
}
