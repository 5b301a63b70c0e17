package dev.drover.agent.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Counts this agent's live plugin processes by scanning /proc (they may predate this agent, so
 * its own child list is not enough). A scan reads every process's cmdline, so the result is kept
 * for {@link #MAX_AGE_NANOS} (or until the number of running tasks changes) and refreshed by the
 * sampler, not by scrapes.
 */
public final class PluginCensus {
    static final long MAX_AGE_NANOS = 10_000_000_000L;
    private static final String MAIN = "dev.drover.sdk.plugin.PluginMain";

    private final String marker;
    private volatile Map<String, Integer> counts = Map.of();
    private volatile long takenAt = Long.MIN_VALUE / 2;
    private int tasksAtLastScan = -1;

    /** @param pluginDir the agent's plugin dir, which every plugin's socket path names */
    public PluginCensus(Path pluginDir) {
        this.marker = pluginDir.toString();
    }

    public Map<String, Integer> counts() {
        return counts;
    }

    /** Rescans if the last count is older than the maximum age or the number of running tasks changed. */
    public void refreshIfOld(int runningTasks) {
        if (System.nanoTime() - takenAt >= MAX_AGE_NANOS || runningTasks != tasksAtLastScan) {
            tasksAtLastScan = runningTasks;
            refresh();
        }
    }

    public void refresh() {
        var found = new TreeMap<String, Integer>();
        try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString().chars().allMatch(Character::isDigit))) {
            for (Path p : proc) {
                String plugin = pluginOf(p.resolve("cmdline"));
                if (plugin != null) found.merge(plugin, 1, Integer::sum);
            }
        } catch (IOException e) {
            return;
        }
        counts = Map.copyOf(found);
        takenAt = System.nanoTime();
    }

    /** "java … PluginMain <name> <socket under plugin dir>" → name. */
    private String pluginOf(Path cmdline) {
        String[] args;
        try {
            args = new String(Files.readAllBytes(cmdline), StandardCharsets.UTF_8).split("\0");
        } catch (IOException e) {
            return null; // gone meanwhile
        }
        for (int i = 0; i + 2 < args.length; i++) {
            if (args[i].equals(MAIN) && args[i + 2].contains(marker)) return args[i + 1];
        }
        return null;
    }
}
