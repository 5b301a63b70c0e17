package dev.drover.cli;

/**
 * A failure whose message is already the full text to show the user (e.g. {@code Error querying
 * job: ...}); the top level prints it to stderr and exits with {@link #exitCode()}.
 */
class CliException extends RuntimeException {
    private final int exitCode;

    CliException(String message) {
        this(message, 1);
    }

    CliException(String message, int exitCode) {
        super(message, null, false, false);
        this.exitCode = exitCode;
    }

    int exitCode() {
        return exitCode;
    }

    /** A bad combination of flags/arguments that picocli cannot express by itself. */
    static CliException usage(String command, String message) {
        return new CliException("Error: " + message + "\nRun '" + command + " -help' for usage.");
    }
}
