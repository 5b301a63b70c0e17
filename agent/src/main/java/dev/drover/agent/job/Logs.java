package dev.drover.agent.job;

/**
 * How a task's stdout/stderr are kept: rotated files of {@code maxFileSizeMB}, at most
 * {@code maxFiles} of each stream; {@code disabled} turns log collection off.
 */
public record Logs(int maxFiles, int maxFileSizeMB, boolean disabled) {

    public Logs {
        new Checks()
                .check(maxFiles >= 1, "maxFiles", "max_files must be at least 1, got " + maxFiles)
                .check(maxFileSizeMB >= 1, "maxFileSizeMB", "max_file_size must be at least 1 MB, got " + maxFileSizeMB)
                .throwIfAny();
    }
}
