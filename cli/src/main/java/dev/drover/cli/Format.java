package dev.drover.cli;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Nomad's output conventions: columnized tables, {@code key = value} blocks, its time formats. */
final class Format {
    private Format() {}

    /** Go's {@code 2006-01-02T15:04:05Z07:00}: "Z" for UTC, "+02:00" otherwise. */
    private static final DateTimeFormatter ISO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    /** columnize's Empty: a blank cell would shift the eye to the next column. */
    private static final String EMPTY = "<none>";

    static String shortId(String id) {
        return id.length() > 8 ? id.substring(0, 8) : id;
    }

    static String id(String id, boolean verbose) {
        return verbose ? id : shortId(id);
    }

    /** Absolute time; "" for 0 (Nomad: the epoch is more confusing than nothing). */
    static String time(long unixNanos, ZoneId zone) {
        if (unixNanos <= 0) {
            return "";
        }
        return ISO.format(toInstant(unixNanos).atZone(zone));
    }

    /** Nomad's prettyTimeDiff: the two largest units, e.g. "12s ago", "5m3s ago", "2d4h ago". */
    static String ago(long unixNanos, Instant now) {
        if (unixNanos <= 0) {
            return "";
        }
        long then = Math.round(unixNanos / 1e9);
        long nowSec = Math.round(now.getEpochSecond() + now.getNano() / 1e9);
        long d = Math.abs(nowSec - then);
        String suffix = nowSec >= then ? " ago" : " from now";
        long[] amounts = {d / 86400, d % 86400 / 3600, d % 3600 / 60, d % 60};
        String[] units = {"d", "h", "m", "s"};
        int first = 0;
        while (first < 3 && amounts[first] == 0) {
            first++;
        }
        StringBuilder sb = new StringBuilder().append(amounts[first]).append(units[first]);
        if (first < 3) {
            sb.append(amounts[first + 1]).append(units[first + 1]);
        }
        return sb.append(suffix).toString();
    }

    static Instant toInstant(long unixNanos) {
        return Instant.ofEpochSecond(Math.floorDiv(unixNanos, 1_000_000_000L), Math.floorMod(unixNanos, 1_000_000_000L));
    }

    /** Rows (the first one a header) in left-aligned columns two spaces apart. */
    static String table(List<String[]> rows) {
        return columns(rows, "  ");
    }

    /** {@code Key = value} lines with the "=" aligned, as Nomad's formatKV. */
    static String kv(List<String[]> rows) {
        return columns(rows, " = ");
    }

    private static String columns(List<String[]> rows, String glue) {
        int cols = rows.stream().mapToInt(r -> r.length).max().orElse(0);
        int[] width = new int[cols];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                width[i] = Math.max(width[i], cell(r[i]).length());
            }
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                if (i > 0) {
                    line.append(glue);
                }
                String c = cell(r[i]);
                // The last column is never padded, so lines carry no trailing blanks.
                line.append(i == r.length - 1 ? c : c + " ".repeat(width[i] - c.length()));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        return sb.toString();
    }

    static String indent(String text, String prefix) {
        return text.lines().map(l -> prefix + l + "\n").reduce("", String::concat);
    }

    private static String cell(String s) {
        return s == null || s.isEmpty() ? EMPTY : s;
    }
}
