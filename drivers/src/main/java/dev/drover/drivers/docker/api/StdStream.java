package dev.drover.drivers.docker.api;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads the Engine's multiplexed stream (logs, attach, exec of a container without a tty): each
 * frame is an 8-byte header {stream, 0, 0, 0, length (big-endian uint32)} and that many bytes.
 */
public final class StdStream {
    public static final int STDIN = 0;
    public static final int STDOUT = 1;
    public static final int STDERR = 2;

    /** One frame: which stream and its bytes. */
    public record Frame(int stream, byte[] data) {}

    private final InputStream in;
    private final byte[] header = new byte[8];

    public StdStream(InputStream in) {
        this.in = in;
    }

    /** The next frame, or null at the end of the stream. */
    public Frame next() throws IOException {
        int n = in.readNBytes(header, 0, 8);
        if (n == 0) return null;
        if (n < 8) throw new EOFException("truncated stream frame header");
        int stream = header[0];
        if (stream < 0 || stream > 2) throw new IOException("not a multiplexed stream (first byte " + stream + ")");
        int length = ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
        if (length < 0) throw new IOException("stream frame too large");
        byte[] data = in.readNBytes(length);
        if (data.length < length) throw new EOFException("truncated stream frame");
        return new Frame(stream, data);
    }
}
