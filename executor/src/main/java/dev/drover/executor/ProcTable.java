package dev.drover.executor;

import dev.drover.sdk.proc.ProcStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A snapshot of every process in /proc: who is in which process group and who descends from whom.
 * Zombies are kept in the snapshot (they hold pids) but never count as live members.
 */
public final class ProcTable {
    private final Map<Integer, ProcStat> procs;

    private ProcTable(Map<Integer, ProcStat> procs) {
        this.procs = procs;
    }

    public static ProcTable scan() {
        var procs = new HashMap<Integer, ProcStat>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path dir : (Iterable<Path>) dirs::iterator) {
                String name = dir.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int pid;
                try {
                    pid = Integer.parseInt(name);
                } catch (NumberFormatException e) {
                    continue;
                }
                readStat(pid).ifPresent(stat -> procs.put(pid, stat));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
        }
        return new ProcTable(procs);
    }

    /** Like {@link ProcStat#read} but tolerant of a process vanishing mid-read. */
    static Optional<ProcStat> readStat(int pid) {
        try {
            return ProcStat.read(pid);
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    public Optional<ProcStat> get(int pid) {
        return Optional.ofNullable(procs.get(pid));
    }

    public boolean isLive(int pid) {
        var stat = procs.get(pid);
        return stat != null && stat.state() != 'Z' && stat.state() != 'X';
    }

    /** Live members of process group {@code pgid}. */
    public Set<Integer> group(int pgid) {
        var members = new LinkedHashSet<Integer>();
        procs.values().stream().filter(s -> s.pgrp() == pgid && isLive(s.pid())).forEach(s -> members.add(s.pid()));
        return members;
    }

    /** Live members of session {@code sid} (what an exec's shell left behind, wherever it was re-parented). */
    public Set<Integer> sessionMembers(int sid) {
        var members = new LinkedHashSet<Integer>();
        procs.values().stream().filter(s -> s.session() == sid && isLive(s.pid())).forEach(s -> members.add(s.pid()));
        return members;
    }

    /** Live descendants of {@code pid} (children, grandchildren…), not including {@code pid} itself. */
    public Set<Integer> descendants(int pid) {
        var children = new HashMap<Integer, List<Integer>>();
        procs.values().forEach(s -> children.computeIfAbsent(s.ppid(), k -> new java.util.ArrayList<>()).add(s.pid()));
        var found = new LinkedHashSet<Integer>();
        var queue = new ArrayDeque<Integer>(children.getOrDefault(pid, List.of()));
        while (!queue.isEmpty()) {
            int p = queue.poll();
            if (!found.add(p)) continue;
            queue.addAll(children.getOrDefault(p, List.of()));
        }
        found.removeIf(p -> !isLive(p));
        return found;
    }

    /** The task's tree without a cgroup: the main process, its process group and its descendants. */
    public Set<Integer> tree(int pid) {
        var tree = new LinkedHashSet<Integer>();
        if (isLive(pid)) tree.add(pid);
        tree.addAll(group(pid));
        tree.addAll(descendants(pid));
        return tree;
    }
}
