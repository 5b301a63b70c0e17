package dev.drover.drivers.shared;

import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Runs a short host command for a fingerprint ({@code crun --version}, {@code java -version}).
 * An interface so probes can be tested with canned output.
 */
@FunctionalInterface
public interface CommandRunner {
    /** What the command printed (stdout and stderr together) and its exit code. */
    record Output(int exitCode, String text) {}

    /**
     * @throws IOException if the command cannot be started or does not finish within {@code timeout}
     */
    Output run(List<String> command, Duration timeout) throws IOException;

    /** Runs real processes. */
    CommandRunner SYSTEM = (command, timeout) -> {
        var builder = new ProcessBuilder(command).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process process;
        // The agent's zombie reaper must not take the exit status the JDK waits for.
        try (var pause = Reaper.pause()) {
            process = builder.start();
            Reaper.own(process.pid());
        }
        try {
            InputStream out = process.getInputStream();
            var text = CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(out.readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    return "";
                }
            }, r -> Thread.ofVirtual().start(r));
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new IOException(String.join(" ", command) + " did not finish within " + timeout.toMillis() + " ms");
            }
            return new Output(process.exitValue(), text.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted while running " + String.join(" ", command), e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException("could not read the output of " + String.join(" ", command) + ": " + e, e);
        } finally {
            Reaper.disown(process.pid());
        }
    };
}
