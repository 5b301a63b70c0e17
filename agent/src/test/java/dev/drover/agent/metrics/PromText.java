package dev.drover.agent.metrics;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4, for tests. No maintained Java
 * parser of this format exists on Maven Central (the Prometheus Java client only writes it), so
 * this one follows the format's grammar character by character and rejects what Prometheus
 * would: bad names, bad escapes, unknown types, a TYPE after its samples, a family split in two,
 * duplicate series, histograms without +Inf or with decreasing buckets. See PromTextTest.
 */
public final class PromText {
    public record Sample(String name, Map<String, String> labels, double value) {}

    public record Family(String name, String type, String help, List<Sample> samples) {}

    /** Families by name, in the order they appeared. */
    public record Scrape(Map<String, Family> families) {
        public Family family(String name) {
            var f = families.get(name);
            if (f == null) throw new AssertionError("no family " + name + " in scrape; families: " + families.keySet());
            return f;
        }

        /** The samples of a family whose labels include all of {@code match}; none if the family is absent. */
        public List<Sample> samples(String family, Map<String, String> match) {
            var f = families.get(family);
            if (f == null) return List.of(); // the text format leaves out a family without samples
            return f.samples().stream()
                    .filter(s -> s.labels().entrySet().containsAll(match.entrySet())).toList();
        }
    }

    public static final class ParseException extends RuntimeException {
        ParseException(int line, String message) {
            super("line " + line + ": " + message);
        }
    }

    private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

    private final Map<String, String> types = new LinkedHashMap<>();
    private final Map<String, String> helps = new LinkedHashMap<>();
    private final Map<String, List<Sample>> samples = new LinkedHashMap<>();
    private final Set<String> finished = new HashSet<>();
    private final Set<String> seriesSeen = new HashSet<>();
    private String current;
    private int lineNo;

    private PromText() {}

    public static Scrape parse(String text) {
        var p = new PromText();
        if (!text.isEmpty() && !text.endsWith("\n")) throw new ParseException(0, "the exposition must end with a newline");
        for (String line : text.split("\n", -1)) {
            p.lineNo++;
            p.line(line);
        }
        return p.finish();
    }

    private void line(String line) {
        if (line.isEmpty()) return;
        if (line.startsWith("#")) {
            comment(line);
            return;
        }
        var c = new Cursor(line, lineNo);
        String name = c.name(true);
        var labels = new LinkedHashMap<String, String>();
        if (c.peek() == '{') labels(c, labels);
        c.spaces(true);
        double value = c.value();
        if (!c.atEnd()) {
            c.spaces(true);
            c.timestamp();
        }
        if (!c.atEnd()) throw new ParseException(lineNo, "unexpected text after the sample: \"" + line.substring(c.pos) + "\"");
        String family = familyOf(name);
        enter(family);
        if (!seriesSeen.add(name + labels)) throw new ParseException(lineNo, "duplicate series " + name + labels);
        samples.computeIfAbsent(family, f -> new ArrayList<>()).add(new Sample(name, Map.copyOf(labels), value));
    }

    private void comment(String line) {
        String[] parts = line.split(" ", 4);
        if (parts.length < 3 || !parts[0].equals("#") || !(parts[1].equals("HELP") || parts[1].equals("TYPE"))) return; // plain comment
        String name = parts[2];
        new Cursor(name, lineNo).nameOnly();
        if (parts[1].equals("TYPE")) {
            if (parts.length != 4 || !TYPES.contains(parts[3])) throw new ParseException(lineNo, "bad TYPE line: " + line);
            if (types.containsKey(name)) throw new ParseException(lineNo, "second TYPE for " + name);
            if (samples.containsKey(name)) throw new ParseException(lineNo, "TYPE for " + name + " after its samples");
            types.put(name, parts[3]);
        } else {
            if (helps.containsKey(name)) throw new ParseException(lineNo, "second HELP for " + name);
            helps.put(name, parts.length == 4 ? unescapeHelp(parts[3]) : "");
        }
        enter(name);
    }

    /** A family's lines must be contiguous. */
    private void enter(String family) {
        if (family.equals(current)) return;
        if (finished.contains(family)) throw new ParseException(lineNo, "family " + family + " appears in two places");
        if (current != null) finished.add(current);
        current = family;
    }

    /** x_bucket/x_sum/x_count belong to histogram or summary x; everything else to itself. */
    private String familyOf(String name) {
        for (String suffix : List.of("_bucket", "_sum", "_count")) {
            if (!name.endsWith(suffix)) continue;
            String base = name.substring(0, name.length() - suffix.length());
            String t = types.get(base);
            if ("histogram".equals(t) || ("summary".equals(t) && !suffix.equals("_bucket"))) return base;
        }
        return name;
    }

    private void labels(Cursor c, Map<String, String> out) {
        c.expect('{');
        while (c.peek() != '}') {
            String label = c.labelName();
            c.expect('=');
            String value = c.quoted();
            if (out.put(label, value) != null) throw new ParseException(lineNo, "label " + label + " given twice");
            if (c.peek() == ',') c.expect(',');
            else if (c.peek() != '}') throw new ParseException(lineNo, "expected ',' or '}' at column " + (c.pos + 1));
        }
        c.expect('}');
    }

    private Scrape finish() {
        var out = new LinkedHashMap<String, Family>();
        var names = new ArrayList<String>();
        names.addAll(types.keySet());
        names.addAll(helps.keySet());
        names.addAll(samples.keySet());
        for (String name : names) {
            if (out.containsKey(name)) continue;
            String type = types.getOrDefault(name, "untyped");
            var list = List.copyOf(samples.getOrDefault(name, List.of()));
            if (type.equals("histogram")) checkHistogram(name, list);
            for (var s : list) {
                if (type.equals("counter") && (s.value() < 0 || Double.isNaN(s.value()))) {
                    throw new ParseException(0, "counter " + name + " has value " + s.value());
                }
            }
            out.put(name, new Family(name, type, helps.getOrDefault(name, ""), list));
        }
        return new Scrape(out);
    }

    private static void checkHistogram(String name, List<Sample> list) {
        var bySeries = new LinkedHashMap<Map<String, String>, List<Sample>>();
        for (var s : list) {
            var key = new LinkedHashMap<>(s.labels());
            key.remove("le");
            bySeries.computeIfAbsent(key, k -> new ArrayList<>()).add(s);
        }
        bySeries.forEach((labels, series) -> {
            double last = -1, inf = -1, count = -1;
            for (var s : series) {
                if (s.name().endsWith("_bucket")) {
                    String le = s.labels().get("le");
                    if (le == null) throw new ParseException(0, name + "_bucket" + labels + " has no le label");
                    if (s.value() < last) throw new ParseException(0, name + " buckets decrease at le=" + le);
                    last = s.value();
                    if (le.equals("+Inf")) inf = s.value();
                } else if (s.name().endsWith("_count")) {
                    count = s.value();
                }
            }
            if (inf < 0) throw new ParseException(0, name + labels + " has no +Inf bucket");
            if (count != inf) throw new ParseException(0, name + labels + ": _count " + count + " differs from the +Inf bucket " + inf);
        });
    }

    private static String unescapeHelp(String s) {
        var b = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch != '\\' || i + 1 == s.length()) {
                b.append(ch);
                continue;
            }
            char next = s.charAt(++i);
            b.append(next == 'n' ? "\n" : next == '\\' ? "\\" : "\\" + next);
        }
        return b.toString();
    }

    /** Reads one line left to right. */
    private static final class Cursor {
        private final String s;
        private final int line;
        int pos;

        Cursor(String s, int line) {
            this.s = s;
            this.line = line;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        boolean atEnd() {
            return pos >= s.length();
        }

        void expect(char ch) {
            if (peek() != ch) throw new ParseException(line, "expected '" + ch + "' at column " + (pos + 1) + " of \"" + s + "\"");
            pos++;
        }

        void spaces(boolean required) {
            int start = pos;
            while (peek() == ' ' || peek() == '\t') pos++;
            if (required && pos == start) throw new ParseException(line, "expected a blank at column " + (pos + 1) + " of \"" + s + "\"");
        }

        String name(boolean metric) {
            int start = pos;
            while (pos < s.length()) {
                char ch = s.charAt(pos);
                boolean ok = ch == '_' || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (metric && ch == ':')
                        || (pos > start && ch >= '0' && ch <= '9');
                if (!ok) break;
                pos++;
            }
            if (pos == start) throw new ParseException(line, "expected a " + (metric ? "metric" : "label") + " name at column " + (pos + 1) + " of \"" + s + "\"");
            return s.substring(start, pos);
        }

        void nameOnly() {
            name(true);
            if (!atEnd()) throw new ParseException(line, "bad metric name \"" + s + "\"");
        }

        String labelName() {
            return name(false);
        }

        String quoted() {
            expect('"');
            var b = new StringBuilder();
            while (true) {
                if (atEnd()) throw new ParseException(line, "unterminated label value in \"" + s + "\"");
                char ch = s.charAt(pos++);
                if (ch == '"') return b.toString();
                if (ch != '\\') {
                    b.append(ch);
                    continue;
                }
                char esc = peek();
                pos++;
                switch (esc) {
                    case '\\' -> b.append('\\');
                    case '"' -> b.append('"');
                    case 'n' -> b.append('\n');
                    default -> throw new ParseException(line, "bad escape \\" + esc + " in a label value");
                }
            }
        }

        double value() {
            int start = pos;
            while (pos < s.length() && s.charAt(pos) != ' ' && s.charAt(pos) != '\t') pos++;
            String v = s.substring(start, pos);
            return switch (v) {
                case "NaN" -> Double.NaN;
                case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
                case "-Inf" -> Double.NEGATIVE_INFINITY;
                default -> {
                    if (!v.matches("[-+]?(\\d+\\.?\\d*|\\.\\d+)([eE][-+]?\\d+)?")) {
                        throw new ParseException(line, "bad sample value \"" + v + "\"");
                    }
                    yield Double.parseDouble(v);
                }
            };
        }

        void timestamp() {
            int start = pos;
            if (peek() == '-') pos++;
            while (pos < s.length() && Character.isDigit(s.charAt(pos))) pos++;
            if (pos == start) throw new ParseException(line, "bad timestamp in \"" + s + "\"");
        }
    }
}
