package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Generates random nested bodies, prints them in randomly chosen but equivalent spellings
 * (quoted or heredoc strings, escaped sigils, comments, trailing commas, line breaks, CRLF),
 * parses the text back and compares the plain values and the item positions.
 */
class HclPropertyTest {

    private static final int RUNS = 400;
    private static final String NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_";
    private static final String NAME_REST = NAME_START + "0123456789-";
    /** Characters strings are built from: escapes, quotes, sigils, braces, non-ASCII, a surrogate pair. */
    private static final String[] PIECES = {
        "a", "b", "Z", "0", " ", "\t", "\n", "\"", "\\", "$", "%", "{", "}", "é", "日", "😀", "\r", "\u0001",
        "${NOMAD_TASK_DIR}", "${node.unique.id}", "%{ if x }", "${ \"}\" }", "EOT", "/*", "#", "//",
    };

    private Random rnd;
    private StringBuilder out;
    private int line;
    /** A heredoc's closing marker must be alone on its line, so whatever follows goes on the next. */
    private boolean afterHeredoc;

    @Test
    void printedBodiesParseBackToTheSameValues() {
        for (int seed = 0; seed < RUNS; seed++) {
            rnd = new Random(seed);
            out = new StringBuilder();
            line = 1;
            var expectedLines = new ArrayList<Integer>();
            Map<String, Object> expected = body(0, null, expectedLines);
            String text = rnd.nextInt(4) == 0 ? out.toString().replace("\n", "\r\n") : out.toString();
            String context = "seed " + seed + ":\n" + text;
            HclBody parsed;
            try {
                parsed = HclParser.parse("gen.hcl", text);
            } catch (HclException e) {
                throw new AssertionError(context + "\n" + e.getMessage(), e);
            }
            assertEquals(expected, HclValues.toPlain(parsed), context);
            assertEquals(expectedLines, parsed.items().stream().map(i -> i.pos().line()).toList(), context);
        }
    }

    // ---- generating and printing a body; returns the expected plain value ----

    private Map<String, Object> body(int depth, List<String> labels, List<Integer> itemLines) {
        var plain = new LinkedHashMap<String, Object>();
        if (labels != null && !labels.isEmpty()) {
            plain.put("label", labels.size() == 1 ? labels.getFirst() : labels);
        }
        int items = rnd.nextInt(depth == 0 ? 6 : 4);
        for (int i = 0; i < items; i++) {
            if (rnd.nextInt(5) == 0) {
                comment();
            }
            String name = freshName(plain);
            if (depth < 3 && rnd.nextInt(3) == 0) {
                block(name, depth, plain, itemLines);
            } else {
                indent(depth);
                itemLines.add(line);
                print(name + pad() + "=" + pad());
                plain.put(name, value(depth));
                if (!afterHeredoc && rnd.nextInt(4) == 0) {
                    print(" # trailing");
                }
                afterHeredoc = false;
                newline();
            }
        }
        return plain;
    }

    private void block(String type, int depth, Map<String, Object> plain, List<Integer> itemLines) {
        var list = new ArrayList<Object>();
        int count = 1 + rnd.nextInt(2);
        for (int i = 0; i < count; i++) {
            List<String> labels = new ArrayList<>();
            for (int l = rnd.nextInt(3); l > 0; l--) {
                labels.add(rnd.nextBoolean() ? name() : text(8));
            }
            indent(depth);
            itemLines.add(line);
            print(type);
            for (String label : labels) {
                print(" " + (label.matches("[A-Za-z_][A-Za-z0-9_-]*") && rnd.nextBoolean() ? label : quoted(label)));
            }
            print(" {");
            newline();
            list.add(body(depth + 1, labels, new ArrayList<>()));
            indent(depth);
            print("}");
            newline();
        }
        plain.put(type, list);
    }

    private Object value(int depth) {
        int kind = rnd.nextInt(depth > 2 ? 5 : 7);
        return switch (kind) {
            case 0 -> {
                long n = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(2000) - 1000;
                print(Long.toString(n));
                yield n;
            }
            case 1 -> {
                double d = (rnd.nextInt(200_000) - 100_000) / 64.0 + 1 / 128.0; // never whole
                print(rnd.nextBoolean() ? Double.toString(d) : new java.math.BigDecimal(d).toPlainString());
                yield d;
            }
            case 2 -> {
                boolean b = rnd.nextBoolean();
                print(Boolean.toString(b));
                yield b;
            }
            case 3, 4 -> {
                String s = text(12);
                if (rnd.nextBoolean()) {
                    s = s.replace("\r", "").replace("\u0001", "") + "\n"; // could be a heredoc
                }
                print(heredocAllowed(s) && rnd.nextBoolean() ? heredoc(s, depth) : quoted(s));
                yield s;
            }
            case 5 -> list(depth);
            default -> object(depth);
        };
    }

    private List<Object> list(int depth) {
        var values = new ArrayList<>();
        boolean multiline = rnd.nextBoolean();
        print("[");
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (multiline) {
                newline();
                indent(depth + 1);
            }
            values.add(value(depth + 1));
            breakAfterHeredoc(depth + 1);
            if (i < n - 1 || rnd.nextBoolean()) {
                print("," + pad());
            }
        }
        if (multiline) {
            newline();
            indent(depth);
        }
        print("]");
        return values;
    }

    private Map<String, Object> object(int depth) {
        var values = new LinkedHashMap<String, Object>();
        boolean multiline = rnd.nextBoolean();
        print("{");
        int n = rnd.nextInt(4);
        for (int i = 0; i < n; i++) {
            if (multiline) {
                newline();
                indent(depth + 1);
            } else {
                print(" ");
            }
            String key = rnd.nextBoolean() ? freshName(values) : freshText(values);
            print(key.matches("[A-Za-z_][A-Za-z0-9_-]*") && rnd.nextBoolean() ? key : quoted(key));
            print(pad() + (rnd.nextBoolean() ? "=" : ":") + pad());
            values.put(key, value(depth + 1));
            if (breakAfterHeredoc(depth + 1)) {
                continue; // the line break separates items already
            }
            if ((!multiline && i < n - 1) || rnd.nextBoolean()) {
                print(",");
            }
        }
        if (multiline) {
            newline();
            indent(depth);
        } else {
            print(" ");
        }
        print("}");
        return values;
    }

    // ---- printing strings ----

    private String quoted(String s) {
        var q = new StringBuilder("\"");
        int i = 0;
        while (i < s.length()) {
            String seq = sequenceAt(s, i);
            // Sequences are printed and read back verbatim, except right after the same sigil:
            // "$" + "${" would read as the escape "$${", so then it is printed as literal text.
            if (seq != null && !endsWithSigil(q, seq)) {
                q.append(seq);
                i += seq.length();
                continue;
            }
            char c = s.charAt(i);
            if ((c == '$' || c == '%') && s.startsWith("{", i + 1)) {
                q.append(c).append(c); // a literal "${" must be written "$${"
            } else if (c == '"' || c == '\\') {
                q.append('\\').append(c);
            } else if (c == '\n') {
                q.append("\\n");
            } else if (c == '\r') {
                q.append("\\r");
            } else if (c == '\t') {
                q.append(rnd.nextBoolean() ? "\\t" : "\t");
            } else if (c < 0x20 || (c == 'Z' && rnd.nextInt(3) == 0)) {
                q.append(String.format("\\u%04x", (int) c));
            } else if (Character.isHighSurrogate(c) && rnd.nextBoolean()) {
                q.append(String.format("\\U%08X", s.codePointAt(i)));
                i++;
            } else {
                q.append(c);
            }
            i++;
        }
        return q.append('"').toString();
    }

    /** Heredocs cannot hold '\r' (line endings are normalized) or control characters, and end with "\n". */
    private static boolean heredocAllowed(String s) {
        return s.endsWith("\n") && !s.contains("\r") && s.chars().noneMatch(c -> c < 0x20 && c != '\n' && c != '\t')
                && s.lines().noneMatch(l -> l.strip().equals("EOT"));
    }

    private String heredoc(String s, int depth) {
        String body = escapeLiteralSigils(s);
        // <<- strips the common indent, so some line must start at the left edge for it to be ours.
        boolean flush = rnd.nextBoolean() && s.lines().anyMatch(l -> !l.isBlank() && !Character.isWhitespace(l.charAt(0)));
        String indent = flush ? "  ".repeat(depth + 1) : "";
        var h = new StringBuilder(flush ? "<<-EOT\n" : "<<EOT\n");
        for (String l : body.substring(0, body.length() - 1).split("\n", -1)) {
            h.append(l.isBlank() ? "" : indent).append(l).append('\n'); // HCL leaves blank lines alone
        }
        afterHeredoc = true;
        return h.append(indent).append("EOT").toString();
    }

    /** In a heredoc only the sigils need escaping; backslashes and quotes are literal. */
    private static String escapeLiteralSigils(String s) {
        var b = new StringBuilder();
        int i = 0;
        while (i < s.length()) {
            String seq = sequenceAt(s, i);
            if (seq != null && !endsWithSigil(b, seq)) {
                b.append(seq);
                i += seq.length();
            } else {
                char c = s.charAt(i);
                if ((c == '$' || c == '%') && s.startsWith("{", i + 1)) {
                    b.append(c);
                }
                b.append(c);
                i++;
            }
        }
        return b.toString();
    }

    private static boolean endsWithSigil(StringBuilder b, String sequence) {
        return !b.isEmpty() && b.charAt(b.length() - 1) == sequence.charAt(0);
    }

    /** Whether a generated template sequence starts at {@code i}; such pieces are kept whole. */
    private static String sequenceAt(String s, int i) {
        for (String p : PIECES) {
            if (p.length() > 2 && (p.startsWith("${") || p.startsWith("%{")) && s.startsWith(p, i)) {
                return p;
            }
        }
        return null;
    }

    private String text(int maxPieces) {
        var s = new StringBuilder();
        for (int n = rnd.nextInt(maxPieces + 1); n > 0; n--) {
            s.append(PIECES[rnd.nextInt(PIECES.length)]);
        }
        return s.toString();
    }

    private String name() {
        var s = new StringBuilder().append(NAME_START.charAt(rnd.nextInt(NAME_START.length())));
        for (int n = rnd.nextInt(8); n > 0; n--) {
            s.append(NAME_REST.charAt(rnd.nextInt(NAME_REST.length())));
        }
        return s.toString();
    }

    /** A name not yet used in the map, and never "label" (which labeled blocks use) or "for". */
    private String freshName(Map<String, Object> taken) {
        String n;
        do {
            n = name();
        } while (taken.containsKey(n) || n.equals("label") || n.equals("for"));
        return n;
    }

    private String freshText(Map<String, Object> taken) {
        String t;
        do {
            t = text(4);
        } while (taken.containsKey(t));
        return t;
    }

    // ---- layout ----

    private void comment() {
        switch (rnd.nextInt(3)) {
            case 0 -> print("# a comment");
            case 1 -> print("// another");
            default -> {
                print("/* spanning");
                newline();
                print("   lines */");
            }
        }
        newline();
    }

    private String pad() {
        return switch (rnd.nextInt(4)) {
            case 0 -> "";
            case 1 -> "  ";
            case 2 -> " /* c */ ";
            default -> " ";
        };
    }

    private boolean breakAfterHeredoc(int depth) {
        if (!afterHeredoc) {
            return false;
        }
        afterHeredoc = false;
        print("\n");
        indent(depth);
        return true;
    }

    private void indent(int depth) {
        print(rnd.nextInt(5) == 0 ? "\t".repeat(depth) : "  ".repeat(depth));
    }

    private void print(String s) {
        out.append(s);
        line += (int) s.chars().filter(c -> c == '\n').count();
    }

    private void newline() {
        print("\n");
        if (rnd.nextInt(6) == 0) {
            print("\n");
        }
    }
}
