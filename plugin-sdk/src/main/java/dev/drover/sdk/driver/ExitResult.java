package dev.drover.sdk.driver;

/**
 * How a task ended. Killed by a signal: exitCode = 128 + signal and signal set. {@code err} is
 * non-empty when the outcome is not known (e.g. the executor died while the task ran).
 */
public record ExitResult(int exitCode, int signal, boolean oomKilled, String err) {
    public ExitResult {
        err = err == null ? "" : err;
    }

    public static ExitResult failed(String err) {
        return new ExitResult(-1, 0, false, err);
    }

    public boolean successful() {
        return exitCode == 0 && signal == 0 && err.isEmpty();
    }
}
