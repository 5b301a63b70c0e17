package dev.drover.sdk.logmon;

/**
 * Where a task's output goes. File names are bases inside {@code logDir}: {@code web.stdout}
 * becomes {@code web.stdout.0}, {@code web.stdout.1}, …
 */
public record LogConfig(String logDir, String stdoutFileBase, String stderrFileBase,
                        String stdoutFifo, String stderrFifo, int maxFiles, int maxFileSizeMB) {
    public LogConfig {
        if (logDir == null || logDir.isBlank()) throw new IllegalArgumentException("logDir is required");
        if (maxFiles < 1) throw new IllegalArgumentException("max_files must be at least 1");
        if (maxFileSizeMB < 1) throw new IllegalArgumentException("max_file_size must be at least 1 MB");
    }
}
