package dev.drover.executor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Test helper: finds processes in /proc by cgroup, process group or ancestry, independently of the
 * executor's own bookkeeping (so it can judge whether a tree really is gone).
 */
final class ProcScan {
    private ProcScan() {}

    /** One process as /proc shows it; pid + startTicks name it for its whole life. */
    record Proc(int pid, int ppid, int pgid, int sid, char state, long startTicks, String cmdline) {
        boolean zombie() {
            return state == 'Z' || state == 'X';
        }

        /** This very process still has a /proc entry (zombies included). */
        boolean exists() {
            return read(pid).filter(p -> p.startTicks == startTicks).isPresent();
        }

        /** This very process is still running (not a zombie). */
        boolean alive() {
            return read(pid).filter(p -> p.startTicks == startTicks && !p.zombie()).isPresent();
        }
    }

    static List<Proc> all() {
        var procs = new ArrayList<Proc>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            dirs.map(d -> d.getFileName().toString()).filter(n -> n.chars().allMatch(Character::isDigit))
                    .forEach(n -> read(Integer.parseInt(n)).ifPresent(procs::add));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return procs;
    }

    static Optional<Proc> read(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            String cmdline = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                    StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return Optional.of(new Proc(pid, Integer.parseInt(f[1]), Integer.parseInt(f[2]), Integer.parseInt(f[3]),
                    f[0].charAt(0), Long.parseLong(f[19]), cmdline));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Processes (zombies included) whose /proc/PID/cgroup has a line ending in {@code /drover/<leaf>}. */
    static List<Proc> inCgroup(String leaf) {
        String suffix = ":/" + Cgroups.PARENT + "/" + leaf;
        return all().stream().filter(p -> cgroupLines(p.pid()).stream().anyMatch(l -> l.endsWith(suffix))).toList();
    }

    static List<String> cgroupLines(int pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"));
        } catch (IOException e) {
            return List.of();
        }
    }

    static List<Proc> withPgid(int pgid) {
        return all().stream().filter(p -> p.pgid() == pgid).toList();
    }

    /** Children, grandchildren… of {@code pid} as parented right now (orphans are re-parented away). */
    static List<Proc> descendants(int pid) {
        var all = all();
        var found = new ArrayList<Proc>();
        var frontier = new ArrayList<>(List.of(pid));
        while (!frontier.isEmpty()) {
            int parent = frontier.removeLast();
            for (var p : all) {
                if (p.ppid() == parent && found.stream().noneMatch(f -> f.pid() == p.pid())) {
                    found.add(p);
                    frontier.add(p.pid());
                }
            }
        }
        return found;
    }
}
