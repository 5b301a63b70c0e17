package dev.drover.sdk.executor;

/** Result of a one-shot command in a task's context: combined output (capped) and exit code. */
public record ExecResult(byte[] output, int exitCode) {
    /** Output kept from one-shot execs, as Nomad's script checks keep (drivers.CheckBufSize). */
    public static final int MAX_OUTPUT = 4 * 1024;
}
