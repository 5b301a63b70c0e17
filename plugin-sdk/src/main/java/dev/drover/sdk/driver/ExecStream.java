package dev.drover.sdk.driver;

import java.util.Objects;

/**
 * The caller's end of an interactive exec (Nomad's ExecTaskStreamingRaw stream): input the caller
 * sends (stdin, stdin close, terminal size) and output it receives. The callee pulls input with
 * {@link #receive} and pushes output, in order, with {@link #stdout}/{@link #stderr}; it returns the
 * exit code only after all output was pushed.
 */
public interface ExecStream {
    /** One message from the caller. A resize never travels as stdin bytes. */
    sealed interface Input permits Stdin, CloseStdin, Resize {}

    record Stdin(byte[] data) implements Input {
        public Stdin {
            Objects.requireNonNull(data, "data");
        }
    }

    /** No more stdin: a pipe is closed (a non-TTY {@code cat} ends); a TTY gets end-of-file (^D). */
    record CloseStdin() implements Input {}

    /** Terminal size in rows and columns, as Nomad's {@code tty_size{height, width}}. */
    record Resize(int height, int width) implements Input {
        public Resize {
            if (height < 1 || height > 0xffff || width < 1 || width > 0xffff) {
                throw new IllegalArgumentException("tty_size height and width must be 1..65535, got " + height + "x" + width);
            }
        }
    }

    /**
     * Blocks for the caller's next input.
     *
     * @return null once the caller is gone; the command is then killed
     */
    Input receive() throws InterruptedException;

    /** Delivers output; may block while the caller is slow. Throws if the caller is gone. */
    void stdout(byte[] data);

    void stderr(byte[] data);
}
