package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.StdStream;
import dev.drover.sdk.driver.ExecStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Passes an exec's output to the caller, except while it may still be dockerd's report that the
 * command could not be started. The engine has answered 101 by then, so it writes the runtime's
 * error into the output stream ({@code OCI runtime exec failed: … exec: "x": executable file not
 * found in $PATH …}) and ends it; the exec's exit code is 126 or 127 and it has no pid. That text
 * becomes a clear error instead of output.
 *
 * <p>Output that does not begin like that message passes at once. Output that does is held until
 * the stream ends (the engine's message comes with the end) or {@link #HOLD_MILLIS} pass, so a
 * command that really prints those words is delayed a little, never lost.
 */
final class StartGate {
    static final long HOLD_MILLIS = 200;
    private static final byte[] MARK = "OCI runtime exec failed".getBytes(StandardCharsets.US_ASCII);
    private static final Pattern NOT_IN_PATH = Pattern.compile("exec: \"([^\"]*)\": executable file not found in \\$PATH");
    private static final Pattern NO_SUCH_FILE = Pattern.compile("exec: \"([^\"]*)\": stat [^:]*: no such file or directory");

    private record Chunk(int stream, byte[] data) {}

    private final ExecStream out;
    private final List<Chunk> held = new ArrayList<>();
    private final ByteArrayOutputStream heldBytes = new ByteArrayOutputStream();
    private boolean open;
    private boolean timerStarted;

    StartGate(ExecStream out) {
        this.out = out;
    }

    /** Output as it arrives; throws when the caller is gone. */
    synchronized void offer(int stream, byte[] data) {
        if (open) {
            deliver(stream, data);
            return;
        }
        held.add(new Chunk(stream, data));
        heldBytes.writeBytes(data);
        if (!mayBeStartFailure(heldBytes.toByteArray())) {
            release();
        } else if (!timerStarted) {
            timerStarted = true;
            Thread.ofVirtual().name("docker-exec-gate").start(() -> {
                try {
                    Thread.sleep(HOLD_MILLIS);
                    synchronized (this) {
                        if (!open) release();
                    }
                } catch (InterruptedException | RuntimeException e) {
                    // the caller is gone: the session sees it on its own
                }
            });
        }
    }

    /**
     * At the end of the stream.
     *
     * @param neverStarted asks the engine whether the command ran at all
     * @return the engine's message when the command never started (then not delivered), else null
     */
    synchronized String finish(BooleanSupplier neverStarted) {
        if (open) return null;
        byte[] text = heldBytes.toByteArray();
        if (text.length >= MARK.length && neverStarted.getAsBoolean()) {
            open = true;
            return new String(text, StandardCharsets.UTF_8).strip();
        }
        release();
        return null;
    }

    private void release() {
        open = true;
        for (var c : held) deliver(c.stream(), c.data());
        held.clear();
    }

    private void deliver(int stream, byte[] data) {
        if (stream == StdStream.STDERR) out.stderr(data);
        else out.stdout(data);
    }

    /** True while {@code text} is a prefix of the engine's message, or starts with it. */
    static boolean mayBeStartFailure(byte[] text) {
        int n = Math.min(text.length, MARK.length);
        return Arrays.equals(text, 0, n, MARK, 0, n);
    }

    /**
     * The engine's message in the words the other drivers use: a missing executable is named with
     * where it was looked for.
     *
     * @param path the container's PATH (null when unknown), asked for only when needed
     */
    static String explain(String message, Supplier<String> path) {
        var m = NOT_IN_PATH.matcher(message);
        if (m.find()) {
            String searched = path.get();
            return "executable \"" + m.group(1) + "\" not found in the container; searched "
                    + (searched == null ? "the container's PATH" : "PATH=" + searched);
        }
        m = NO_SUCH_FILE.matcher(message);
        if (m.find()) return "executable \"" + m.group(1) + "\" not found in the container";
        return "the container runtime could not start it: " + message;
    }
}
