package dev.drover.sdk;

/**
 * The one error type that crosses plugin boundaries. Few kinds, a message that starts with what
 * failed, and whether retrying (a restart under the task's policy) can help.
 */
public class DroverException extends RuntimeException {
    public enum Kind { NOT_FOUND, ALREADY_EXISTS, NOT_SUPPORTED, INVALID_CONFIG, UNAVAILABLE, INTERNAL }

    private final Kind kind;
    private final boolean recoverable;

    public DroverException(Kind kind, String message, boolean recoverable) {
        super(message);
        this.kind = kind;
        this.recoverable = recoverable;
    }

    public DroverException(Kind kind, String message, boolean recoverable, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.recoverable = recoverable;
    }

    public Kind kind() {
        return kind;
    }

    public boolean recoverable() {
        return recoverable;
    }

    public static DroverException notFound(String message) {
        return new DroverException(Kind.NOT_FOUND, message, false);
    }

    public static DroverException invalid(String message) {
        return new DroverException(Kind.INVALID_CONFIG, message, false);
    }

    public static DroverException notSupported(String message) {
        return new DroverException(Kind.NOT_SUPPORTED, message, false);
    }

    public static DroverException internal(String message, Throwable cause) {
        return new DroverException(Kind.INTERNAL, message, true, cause);
    }

    public static DroverException unavailable(String message, Throwable cause) {
        return new DroverException(Kind.UNAVAILABLE, message, true, cause);
    }
}
