package dev.drover.agent.e2e;

import dev.drover.sdk.testing.ProcScan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What the fault suite measures, each from the kernel or the files rather than from the agent's
 * own bookkeeping: numbered log lines in the rotated files, processes in /proc, drover cgroup
 * leaves, and decoy processes that must never be signalled.
 */
final class FaultChecks {
    private FaultChecks() {}

    /**
     * The task every fault-suite job runs (raw_exec and exec alike): a run id (new per start), then
     * numbered lines {@code <marker> <run> <n> <padding>}; after each line the run's last number
     * goes to {@code alloc/data/<task>.seq}, so a line lost at the very end is noticed too.
     */
    static String writerScript(String marker, double sleepSeconds, int padding) {
        return "r=$(cut -c1-8 /proc/sys/kernel/random/uuid); i=0; p=" + "x".repeat(padding)
                + "; while :; do i=$((i+1)); echo \"" + marker + " $r $i $p\"; echo \"$r $i\" > $NOMAD_ALLOC_DIR/data/$NOMAD_TASK_NAME.seq; sleep "
                + sleepSeconds + "; done";
    }

    /** Lines of one task's log, audited per run: each run must count 1, 2, 3 … with no gap or repeat. */
    record LogAudit(long lines, int runs, long lost, long duplicated, long garbled, List<String> problems) {}

    static LogAudit auditLog(Path allocDir, String task, String marker) throws IOException {
        var logs = allocDir.resolve("alloc/logs");
        var files = new TreeMap<Integer, Path>();
        var name = Pattern.compile(Pattern.quote(task + ".stdout.") + "(\\d+)");
        try (var list = Files.list(logs)) {
            list.forEach(f -> {
                var m = name.matcher(f.getFileName().toString());
                if (m.matches()) files.put(Integer.parseInt(m.group(1)), f);
            });
        }
        var line = Pattern.compile(Pattern.quote(marker) + " (\\w{8}) (\\d+) x*");
        Map<String, List<Long>> runs = new HashMap<>();
        var order = new ArrayList<String>();
        long lines = 0, garbled = 0;
        var problems = new ArrayList<String>();
        for (var file : files.values()) {
            for (String l : Files.readAllLines(file)) {
                lines++;
                var m = line.matcher(l);
                if (!m.matches()) {
                    garbled++;
                    if (problems.size() < 5) problems.add(file.getFileName() + ": garbled \"" + abbreviate(l) + "\"");
                    continue;
                }
                if (!runs.containsKey(m.group(1))) order.add(m.group(1));
                runs.computeIfAbsent(m.group(1), k -> new ArrayList<>()).add(Long.parseLong(m.group(2)));
            }
        }
        long lost = 0, dup = 0;
        for (var run : order) {
            var seen = runs.get(run);
            long max = seen.stream().mapToLong(Long::longValue).max().orElse(0);
            long distinct = seen.stream().distinct().count();
            dup += seen.size() - distinct;
            lost += max - distinct;
            long expected = 1;
            for (long n : seen) {
                if (n != expected && problems.size() < 5) problems.add(task + " run " + run + ": expected line " + expected + ", got " + n);
                expected = n + 1;
            }
        }
        // The last number the last run wrote (the .seq file) must have reached the log too.
        var seq = allocDir.resolve("alloc/data/" + task + ".seq");
        if (Files.exists(seq)) {
            String[] last = Files.readString(seq).trim().split(" ");
            if (last.length == 2 && runs.containsKey(last[0])) {
                long max = runs.get(last[0]).stream().mapToLong(Long::longValue).max().orElse(0);
                long wrote = Long.parseLong(last[1]);
                if (wrote > max) {
                    lost += wrote - max;
                    problems.add(task + " run " + last[0] + ": wrote up to " + wrote + ", log ends at " + max);
                }
            } else if (last.length == 2) {
                problems.add(task + ": the last run " + last[0] + " has no line in the log");
                lost += Long.parseLong(last[1]);
            }
        }
        return new LogAudit(lines, order.size(), lost, dup, garbled, problems);
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }

    /** Our processes still in /proc: anything naming the data dir or the marker, zombies included. */
    static List<ProcScan.Proc> leftovers(Path dataDir, String marker, List<ProcScan.Proc> exclude) {
        return ProcScan.all().stream()
                .filter(p -> p.cmdline().contains(dataDir.toString()) || p.cmdline().contains(marker))
                .filter(p -> exclude.stream().noneMatch(d -> d.pid() == p.pid()))
                .filter(p -> p.pid() != ProcessHandle.current().pid())
                .toList();
    }

    /** Drover cgroup leaves (every controller) of these allocations that still exist. */
    static List<Path> cgroupLeaves(List<String> allocIds) throws IOException {
        var out = new ArrayList<Path>();
        try (var controllers = Files.list(Path.of("/sys/fs/cgroup"))) {
            for (var controller : controllers.toList()) {
                var drover = controller.resolve("drover");
                if (!Files.isDirectory(drover)) continue;
                try (var leaves = Files.list(drover)) {
                    leaves.filter(l -> allocIds.stream().anyMatch(a -> l.getFileName().toString().startsWith(a))).forEach(out::add);
                }
            }
        }
        return out;
    }

    /** Processes in the given cgroup leaves (read from their cgroup.procs). */
    static long processesIn(List<Path> leaves) {
        long n = 0;
        for (var leaf : leaves) {
            try {
                n += Files.readAllLines(leaf.resolve("cgroup.procs")).stream().filter(s -> !s.isBlank()).count();
            } catch (IOException gone) {
                // removed meanwhile
            }
        }
        return n;
    }

    /**
     * Unrelated processes that must never be signalled: each traps the catchable signals and notes
     * them in a file; their command lines name the data dir, so anything that picks processes by
     * name rather than by recorded identity would hit them.
     */
    record Decoys(List<Process> processes, Path record) {
        static Decoys start(int n, Path dir, Path dataDir) throws IOException {
            Path record = dir.resolve("decoy-signals.txt");
            Files.writeString(record, "");
            var out = new ArrayList<Process>();
            for (int i = 0; i < n; i++) {
                String script = "for s in HUP INT QUIT USR1 USR2 TERM; do trap \"echo $s >> " + record + "\" $s; done; "
                        + "while :; do sleep 0.2; done";
                out.add(new ProcessBuilder("/bin/sh", "-c", script, "decoy", dataDir.resolve("plugins").toString())
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start());
            }
            out.forEach(p -> dev.drover.sdk.proc.Reaper.own(p.pid()));
            return new Decoys(out, record);
        }

        /** Decoys that were killed or caught a signal. */
        long signalled() throws IOException {
            long dead = processes.stream().filter(p -> !p.isAlive()).count();
            return dead + Files.readAllLines(record).stream().filter(s -> !s.isBlank()).count();
        }

        List<ProcScan.Proc> procs() {
            var all = new ArrayList<ProcScan.Proc>();
            for (var p : processes) {
                ProcScan.read((int) p.pid()).ifPresent(all::add);
                all.addAll(ProcScan.descendants((int) p.pid()));
            }
            return all;
        }

        void stop() {
            processes.forEach(p -> p.descendants().forEach(ProcessHandle::destroyForcibly));
            processes.forEach(Process::destroyForcibly);
        }
    }
}
