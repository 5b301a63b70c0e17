package dev.drover.sdk.executor;

/**
 * A task process as the executor sees it. While running, {@code exitCode} is -1. A process killed by
 * a signal has {@code exitCode = 128 + signal} and {@code signal} set (Nomad's encoding).
 *
 * @param startTicks the process start time from /proc (with the pid: the process identity)
 * @param error      why the state is unknown (e.g. the process exited while nobody watched), else ""
 */
public record ProcessState(int pid, long startTicks, int exitCode, int signal, boolean oomKilled,
                           long timeMillis, String error) {
    public ProcessState {
        error = error == null ? "" : error;
    }

    public static ProcessState running(int pid, long startTicks) {
        return new ProcessState(pid, startTicks, -1, 0, false, System.currentTimeMillis(), "");
    }

    public boolean exited() {
        return exitCode != -1 || !error.isEmpty();
    }
}
