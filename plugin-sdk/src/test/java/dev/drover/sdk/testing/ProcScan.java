package dev.drover.sdk.testing;

import dev.drover.sdk.proc.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Test helper: finds processes by scanning /proc — never by trusting a pid file or the code under
 * test's own bookkeeping — so "nothing was left behind" is checked against what the kernel runs.
 */
public final class ProcScan {
    private ProcScan() {}

    /** One process as /proc shows it; pid + startTicks name it for its whole life. */
    public record Proc(int pid, int ppid, int pgid, int sid, char state, long startTicks, String cmdline) {
        public boolean zombie() {
            return state == 'Z' || state == 'X';
        }

        /** This very process still has a /proc entry (zombies included). */
        public boolean exists() {
            return read(pid).filter(p -> p.startTicks == startTicks).isPresent();
        }

        /** This very process is still running (not a zombie). */
        public boolean alive() {
            return read(pid).filter(p -> p.startTicks == startTicks && !p.zombie()).isPresent();
        }
    }

    public static List<Proc> all() {
        var out = new ArrayList<Proc>();
        try (var entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .forEach(n -> read(Integer.parseInt(n)).ifPresent(out::add));
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return out;
    }

    /** The process with this pid, or empty if it is gone (a zombie is still there). */
    public static Optional<Proc> read(int pid) {
        return ProcStat.read(pid).flatMap(st -> {
            try {
                String cmd = new String(Files.readAllBytes(Path.of("/proc", Integer.toString(pid), "cmdline")),
                        StandardCharsets.UTF_8).replace('\0', ' ').trim();
                return Optional.of(new Proc(pid, st.ppid(), st.pgrp(), st.session(), st.state(), st.startTicks(), cmd));
            } catch (IOException e) {
                return Optional.empty();
            }
        });
    }

    /** Processes whose command line contains {@code marker} (a zombie's is empty: see zombieChildrenOf). */
    public static List<Proc> withCmdline(String marker) {
        return all().stream().filter(p -> p.cmdline().contains(marker)).toList();
    }

    /** Processes (zombies included) in a cgroup whose path ends in {@code /<path>}, e.g. "drover/<leaf>". */
    public static List<Proc> inCgroup(String path) {
        String suffix = ":/" + path;
        return all().stream().filter(p -> cgroupLines(p.pid()).stream().anyMatch(l -> l.endsWith(suffix))).toList();
    }

    public static List<String> cgroupLines(int pid) {
        try {
            return Files.readAllLines(Path.of("/proc", Integer.toString(pid), "cgroup"));
        } catch (IOException e) {
            return List.of();
        }
    }

    public static List<Proc> withPgid(int pgid) {
        return all().stream().filter(p -> p.pgid() == pgid).toList();
    }

    /** Children, grandchildren… of {@code pid} as parented right now (orphans are re-parented away). */
    public static List<Proc> descendants(int pid) {
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

    /** Zombie children of a pid. */
    public static List<Proc> zombieChildrenOf(long pid) {
        return all().stream().filter(p -> p.ppid() == pid && p.state() == 'Z').toList();
    }

    /** Polls until no process matches, or fails after the timeout with the processes still there. */
    public static void awaitGone(String marker, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        List<Proc> left;
        while (!(left = withCmdline(marker)).isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("processes still running after " + timeoutMillis + " ms: " + left);
            }
            Thread.sleep(50);
        }
    }
}
