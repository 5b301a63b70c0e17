package dev.drover.sdk;

import java.time.Duration;
import java.util.regex.Pattern;

/** Go duration strings as Nomad writes them: "5s", "1m30s", "250ms", "2h", "1.5h", "0". */
public final class Durations {
    private static final Pattern PART = Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    private Durations() {}

    /** @throws IllegalArgumentException naming the bad input and the allowed form */
    public static Duration parse(String text) {
        if (text == null) throw new IllegalArgumentException("duration is missing");
        String s = text.trim();
        if (s.equals("0")) return Duration.ZERO;
        var m = PART.matcher(s);
        int pos = 0;
        double nanos = 0;
        while (pos < s.length() && m.find(pos) && m.start() == pos) {
            double n = Double.parseDouble(m.group(1));
            nanos += n * switch (m.group(2)) {
                case "ns" -> 1d;
                case "us", "µs" -> 1e3;
                case "ms" -> 1e6;
                case "s" -> 1e9;
                case "m" -> 60e9;
                default -> 3600e9;
            };
            pos = m.end();
        }
        if (pos == 0 || pos != s.length()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"; use a number with a unit like 500ms, 10s, 1m30s or 2h");
        }
        return Duration.ofNanos((long) nanos);
    }

    /** Formats like Go: 5s, 1m30s, 250ms. */
    public static String format(Duration d) {
        if (d.isZero()) return "0s";
        long ms = d.toMillis();
        if (ms < 1000) return ms + "ms";
        var out = new StringBuilder();
        long h = d.toHours(), m = d.toMinutesPart(), s = d.toSecondsPart(), rest = d.toMillisPart();
        if (h > 0) out.append(h).append('h');
        if (m > 0) out.append(m).append('m');
        if (s > 0 || rest > 0) out.append(rest > 0 ? String.format("%d.%03ds", s, rest).replaceAll("0+s$", "s") : s + "s");
        return out.toString();
    }
}
