package dev.drover.sdk.rpc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;

/**
 * Framing of the plugin protocol: every message is a 4-byte big-endian length followed by that
 * many bytes of a JSON object. Requests are {@code {"id","method","session","body"}}, responses
 * {@code {"id","result"}} or {@code {"id","error":{"kind","message","recoverable"}}}.
 */
final class Frames {
    static final int MAX_FRAME = 16 << 20;

    private Frames() {}

    static void write(DataOutputStream out, Map<String, Object> message) throws IOException {
        byte[] bytes = Json.write(message);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    /** @return the next message, or null at a clean end of stream */
    static JsonObject read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > MAX_FRAME) throw new IOException("bad frame length " + length);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) throw new EOFException("truncated frame");
        try {
            return JsonObject.of(Json.parse(bytes));
        } catch (IllegalArgumentException e) {
            throw new IOException("bad frame: " + e.getMessage(), e);
        }
    }
}
