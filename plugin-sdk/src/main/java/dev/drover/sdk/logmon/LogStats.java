package dev.drover.sdk.logmon;

/**
 * What logmon did with a task's output, per stream, since the task's logging began (kept across
 * task restarts, agent restarts and logmon relaunches; docs/observability.md says how).
 */
public record LogStats(Stream stdout, Stream stderr) {
    public LogStats {
        if (stdout == null || stderr == null) throw new IllegalArgumentException("both streams are required");
    }

    /**
     * Counters of one stream. Lines are newline characters, so a last line without one counts in
     * bytes only.
     *
     * @param bytesWritten bytes that reached the log files (rotated-away files included)
     * @param linesWritten lines that reached the log files
     * @param bytesDropped bytes read from the task but not written, because writing failed (disk
     *                     full, log dir gone…): logmon drops them rather than block the task
     * @param linesDropped lines among the dropped bytes
     */
    public record Stream(long bytesWritten, long linesWritten, long bytesDropped, long linesDropped) {
        public static final Stream ZERO = new Stream(0, 0, 0, 0);

        public Stream {
            if (bytesWritten < 0 || linesWritten < 0 || bytesDropped < 0 || linesDropped < 0) {
                throw new IllegalArgumentException("log counters cannot be negative");
            }
        }
    }
}
