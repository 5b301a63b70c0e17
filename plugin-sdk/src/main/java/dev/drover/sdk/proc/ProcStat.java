package dev.drover.sdk.proc;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The fields of /proc/PID/stat that Drover uses. */
public record ProcStat(int pid, char state, int ppid, int pgrp, int session,
                       long utimeTicks, long stimeTicks, long startTicks, long rssPages) {

    public static Optional<ProcStat> read(int pid) {
        String line;
        try {
            line = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
        } catch (IOException e) {
            return Optional.empty();
        }
        try {
            return Optional.of(parse(line));
        } catch (RuntimeException e) {
            return Optional.empty(); // the process vanished mid-read and left a truncated line
        }
    }

    /** The command name sits in parentheses and may itself contain spaces and parentheses. */
    static ProcStat parse(String line) {
        int close = line.lastIndexOf(')');
        String[] f = line.substring(close + 2).trim().split(" ");
        // f[0] is field 3 (state) of proc(5)
        return new ProcStat(
                Integer.parseInt(line.substring(0, line.indexOf(' '))),
                f[0].charAt(0),
                Integer.parseInt(f[1]),
                Integer.parseInt(f[2]),
                Integer.parseInt(f[3]),
                Long.parseLong(f[11]),
                Long.parseLong(f[12]),
                Long.parseLong(f[19]),
                Long.parseLong(f[21]));
    }
}
