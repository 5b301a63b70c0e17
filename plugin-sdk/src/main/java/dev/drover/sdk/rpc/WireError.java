package dev.drover.sdk.rpc;

import dev.drover.sdk.DroverException;
import java.util.Map;

/** A failed call on the wire: {@code {"kind","message","recoverable"}}, in RPC responses and exec streams. */
public final class WireError {
    private WireError() {}

    public static Map<String, Object> encode(DroverException.Kind kind, String message, boolean recoverable) {
        return Json.object("kind", kind.name(), "message", message, "recoverable", recoverable);
    }

    /** An unknown kind (a newer plugin's) counts as internal; a missing flag as {@code recoverableIfMissing}. */
    public static DroverException decode(JsonObject error, boolean recoverableIfMissing) {
        var kind = DroverException.Kind.INTERNAL;
        String name = error.string("kind");
        for (var k : DroverException.Kind.values()) {
            if (k.name().equals(name)) kind = k;
        }
        String message = error.string("message");
        return new DroverException(kind, message == null ? "" : message, error.bool("recoverable", recoverableIfMissing));
    }
}
