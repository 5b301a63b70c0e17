package dev.drover.agent.metrics;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node's CPU, memory and disk (Nomad's HostStats), read from /proc and the file system.
 * CPU shares need two readings: {@link Reader} keeps the previous one.
 *
 * @param cpus   per-core percentages since the previous reading
 * @param disk   the file system holding the data dir
 * @param allocDisk the file system holding the alloc dir
 * @param uptime seconds since boot
 * @param timestamp unix nanoseconds
 */
public record HostStats(Memory memory, List<Cpu> cpus, Disk disk, Disk allocDisk, long uptime, long timestamp) {
    public record Memory(long total, long available, long used, long free) {}

    public record Cpu(String name, double user, double system, double idle, double total) {}

    public record Disk(String mountpoint, long size, long used, long available, double usedPercent) {}

    /** MHz of one core from /proc/cpuinfo (Nomad turns CPU shares into MHz "ticks"); 1000 if unknown. */
    public static double cpuMhz() {
        double sum = 0;
        int n = 0;
        for (String line : Reader.lines(Path.of("/proc/cpuinfo"))) {
            if (!line.startsWith("cpu MHz")) continue;
            try {
                sum += Double.parseDouble(line.substring(line.indexOf(':') + 1).trim());
                n++;
            } catch (NumberFormatException e) {
                // not a number: skip the line
            }
        }
        return n == 0 ? 1000 : sum / n;
    }

    /** Reads host stats; not thread-safe (the sampler's thread only). */
    public static final class Reader {
        private final Path dataDir;
        private final Path allocDir;
        private Map<String, long[]> previousTicks = Map.of();

        public Reader(Path dataDir, Path allocDir) {
            this.dataDir = dataDir;
            this.allocDir = allocDir;
        }

        public HostStats read() {
            return new HostStats(memory(), cpus(), disk(dataDir), disk(allocDir), uptime(), Clock.unixNanos());
        }

        private static Memory memory() {
            var info = new HashMap<String, Long>();
            for (String line : lines(Path.of("/proc/meminfo"))) {
                String[] f = line.split("\\s+");
                if (f.length >= 2) info.put(f[0].replace(":", ""), parse(f[1]) * 1024);
            }
            long total = info.getOrDefault("MemTotal", 0L);
            long available = info.getOrDefault("MemAvailable", info.getOrDefault("MemFree", 0L));
            return new Memory(total, available, total - available, info.getOrDefault("MemFree", 0L));
        }

        /** /proc/stat "cpuN user nice system idle iowait irq softirq steal": shares of the ticks since last time. */
        private List<Cpu> cpus() {
            var now = new HashMap<String, long[]>();
            var out = new ArrayList<Cpu>();
            for (String line : lines(Path.of("/proc/stat"))) {
                if (!line.startsWith("cpu") || line.startsWith("cpu ")) continue;
                String[] f = line.trim().split("\\s+");
                long[] t = new long[Math.min(f.length - 1, 8)];
                for (int i = 0; i < t.length; i++) t[i] = parse(f[i + 1]);
                now.put(f[0], t);
                long[] before = previousTicks.getOrDefault(f[0], new long[t.length]);
                long user = delta(t, before, 0) + delta(t, before, 1);
                long system = delta(t, before, 2) + delta(t, before, 5) + delta(t, before, 6);
                long idle = delta(t, before, 3) + delta(t, before, 4);
                long all = 0;
                for (int i = 0; i < t.length; i++) all += delta(t, before, i);
                double scale = all == 0 ? 0 : 100.0 / all;
                out.add(new Cpu(f[0], user * scale, system * scale, idle * scale, all == 0 ? 0 : 100 - idle * scale));
            }
            previousTicks = now;
            return out;
        }

        private static long delta(long[] now, long[] before, int i) {
            return i < now.length && i < before.length ? Math.max(0, now[i] - before[i]) : 0;
        }

        private static Disk disk(Path path) {
            try {
                var store = Files.getFileStore(path);
                long size = store.getTotalSpace();
                long available = store.getUsableSpace();
                long used = size - store.getUnallocatedSpace();
                return new Disk(path.toString(), size, used, available, size == 0 ? 0 : 100.0 * used / size);
            } catch (IOException e) {
                return new Disk(path.toString(), 0, 0, 0, 0);
            }
        }

        private static long uptime() {
            var l = lines(Path.of("/proc/uptime"));
            return l.isEmpty() ? 0 : (long) Double.parseDouble(l.getFirst().split("\\s+")[0]);
        }

        private static List<String> lines(Path p) {
            try {
                return Files.readAllLines(p);
            } catch (IOException e) {
                return List.of();
            }
        }

        private static long parse(String s) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }
}
