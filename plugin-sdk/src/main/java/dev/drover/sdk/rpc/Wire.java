package dev.drover.sdk.rpc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Framing of the plugin protocol: every message is a 4-byte big-endian length followed by that
 * many bytes of JSON. Requests are {@code {"id","method","session","body"}}, responses
 * {@code {"id","result"}} or {@code {"id","error":{"kind","message","recoverable"}}}.
 */
public final class Wire {
    /** Bumped whenever a request or response record changes incompatibly. */
    public static final int PROTOCOL_VERSION = 1;
    static final int MAX_FRAME = 16 << 20;

    public static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Wire() {}

    static void write(DataOutputStream out, JsonNode message) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(message);
        out.writeInt(bytes.length);
        out.write(bytes);
        out.flush();
    }

    /** @return the next message, or null at a clean end of stream */
    static JsonNode read(DataInputStream in) throws IOException {
        int length;
        try {
            length = in.readInt();
        } catch (EOFException e) {
            return null;
        }
        if (length < 0 || length > MAX_FRAME) throw new IOException("bad frame length " + length);
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) throw new EOFException("truncated frame");
        return JSON.readTree(bytes);
    }
}
