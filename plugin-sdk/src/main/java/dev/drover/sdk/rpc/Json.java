package dev.drover.sdk.rpc;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small JSON reader and writer for the plugin wire, so plugin JVMs do not load a JSON library: Jackson's
 * databind costs a plugin process ~1,500 classes and ~6 MiB PSS (bench/jvm/README.md). Values are plain Java
 * objects: {@code Map<String, Object>} (insertion-ordered), {@code List<Object>}, {@code String}, {@code Long}
 * (integers that fit) or {@code Double}, {@code Boolean} and {@code null}. Strict RFC 8259 on input.
 */
public final class Json {
    /** Deeper nesting is refused rather than recursed into (no plugin message nests more than a few levels). */
    static final int MAX_DEPTH = 200;

    private Json() {}

    /** An object from alternating names and values: {@code Json.object("a", 1, "b", "x")}. */
    public static Map<String, Object> object(Object... namesAndValues) {
        var map = new LinkedHashMap<String, Object>(namesAndValues.length);
        for (int i = 0; i < namesAndValues.length; i += 2) map.put((String) namesAndValues[i], namesAndValues[i + 1]);
        return map;
    }

    /** UTF-8 JSON text of a value made of the types above (any {@link Number}, {@link Map}, {@link List}). */
    public static byte[] write(Object value) {
        var out = new Out();
        out.value(value);
        return out.bytes();
    }

    /** Parses one JSON value (UTF-8); anything but whitespace after it is an error. */
    public static Object parse(byte[] bytes) {
        var in = new In(bytes);
        in.space();
        Object value = in.value(0);
        in.space();
        if (in.pos != bytes.length) throw in.error("unexpected data after the value");
        return value;
    }

    private static final class Out {
        private byte[] buf = new byte[256];
        private int len;

        byte[] bytes() {
            return Arrays.copyOf(buf, len);
        }

        private void ensure(int more) {
            if (len + more > buf.length) buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }

        private void raw(String ascii) {
            ensure(ascii.length());
            for (int i = 0; i < ascii.length(); i++) buf[len++] = (byte) ascii.charAt(i);
        }

        private void put(int b) {
            ensure(1);
            buf[len++] = (byte) b;
        }

        // instanceof rather than a pattern switch: no bootstrap method and generated classes in every plugin JVM
        void value(Object value) {
            if (value == null) {
                raw("null");
            } else if (value instanceof String s) {
                string(s);
            } else if (value instanceof Boolean bool) {
                raw(bool ? "true" : "false");
            } else if (value instanceof Double || value instanceof Float) {
                number(((Number) value).doubleValue());
            } else if (value instanceof Number n) {
                raw(n.toString());
            } else if (value instanceof Map<?, ?> map) {
                put('{');
                boolean first = true;
                for (var e : map.entrySet()) {
                    if (!first) put(',');
                    first = false;
                    string((String) e.getKey());
                    put(':');
                    value(e.getValue());
                }
                put('}');
            } else if (value instanceof List<?> list) {
                put('[');
                for (int i = 0; i < list.size(); i++) {
                    if (i > 0) put(',');
                    value(list.get(i));
                }
                put(']');
            } else {
                throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
            }
        }

        private void number(double d) {
            // JSON has no NaN or infinity; like Jackson's default, such a value travels as a string
            if (Double.isNaN(d) || Double.isInfinite(d)) string(Double.toString(d));
            else raw(Double.toString(d));
        }

        private void string(String s) {
            ensure(s.length() + 2);
            put('"');
            int run = 0; // start of the current run of characters written as they are (UTF-8)
            for (int i = 0; i < s.length(); i++) {
                char c = s.charAt(i);
                if (c >= 0x20 && c != '"' && c != '\\') continue;
                utf8(s, run, i);
                run = i + 1;
                switch (c) {
                    case '"' -> raw("\\\"");
                    case '\\' -> raw("\\\\");
                    case '\n' -> raw("\\n");
                    case '\r' -> raw("\\r");
                    case '\t' -> raw("\\t");
                    case '\b' -> raw("\\b");
                    case '\f' -> raw("\\f");
                    default -> {
                        raw("\\u00");
                        put(HEX[c >> 4]);
                        put(HEX[c & 0xf]);
                    }
                }
            }
            utf8(s, run, s.length());
            put('"');
        }

        private void utf8(String s, int from, int to) {
            if (from >= to) return;
            byte[] b = s.substring(from, to).getBytes(StandardCharsets.UTF_8);
            ensure(b.length);
            System.arraycopy(b, 0, buf, len, b.length);
            len += b.length;
        }

        private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    }

    private static final class In {
        private final byte[] b;
        private int pos;

        In(byte[] bytes) {
            this.b = bytes;
        }

        IllegalArgumentException error(String what) {
            return new IllegalArgumentException("bad JSON at byte " + pos + ": " + what);
        }

        void space() {
            while (pos < b.length && (b[pos] == ' ' || b[pos] == '\n' || b[pos] == '\r' || b[pos] == '\t')) pos++;
        }

        private int peek() {
            if (pos >= b.length) throw error("unexpected end of input");
            return b[pos];
        }

        private void expect(char c) {
            if (peek() != c) throw error("expected '" + c + "'");
            pos++;
        }

        Object value(int depth) {
            if (depth > MAX_DEPTH) throw error("nested deeper than " + MAX_DEPTH);
            return switch (peek()) {
                case '{' -> object(depth);
                case '[' -> array(depth);
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> number();
            };
        }

        private Object literal(String word, Object value) {
            for (int i = 0; i < word.length(); i++, pos++) {
                if (pos >= b.length || b[pos] != word.charAt(i)) throw error("expected " + word);
            }
            return value;
        }

        private Map<String, Object> object(int depth) {
            pos++;
            var map = new LinkedHashMap<String, Object>();
            space();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                space();
                if (peek() != '"') throw error("expected a field name");
                String name = string();
                space();
                expect(':');
                space();
                map.put(name, value(depth + 1));
                space();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect('}');
                    return map;
                }
            }
        }

        private List<Object> array(int depth) {
            pos++;
            var list = new ArrayList<>();
            space();
            if (peek() == ']') {
                pos++;
                return list;
            }
            while (true) {
                space();
                list.add(value(depth + 1));
                space();
                if (peek() == ',') {
                    pos++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            pos++; // the opening quote
            int start = pos;
            while (pos < b.length && b[pos] != '"' && b[pos] != '\\' && (b[pos] & 0xff) >= 0x20) pos++;
            if (pos < b.length && b[pos] == '"') {
                return new String(b, start, pos++ - start, StandardCharsets.UTF_8);
            }
            var sb = new StringBuilder(new String(b, start, pos - start, StandardCharsets.UTF_8));
            while (true) {
                int c = peek();
                if (c == '"') {
                    pos++;
                    return sb.toString();
                }
                if ((c & 0xff) < 0x20) throw error("control character in a string");
                if (c != '\\') {
                    int runStart = pos;
                    while (pos < b.length && b[pos] != '"' && b[pos] != '\\' && (b[pos] & 0xff) >= 0x20) pos++;
                    sb.append(new String(b, runStart, pos - runStart, StandardCharsets.UTF_8));
                    continue;
                }
                pos++;
                int e = peek();
                pos++;
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> sb.append(hex4());
                    default -> throw error("bad escape \\" + (char) e);
                }
            }
        }

        private char hex4() {
            if (pos + 4 > b.length) throw error("truncated \\u escape");
            int v = 0;
            for (int i = 0; i < 4; i++) {
                int d = Character.digit(b[pos++], 16);
                if (d < 0) throw error("bad \\u escape");
                v = v << 4 | d;
            }
            return (char) v; // a surrogate pair arrives as two escapes and is joined by the StringBuilder
        }

        private Object number() {
            int start = pos;
            if (pos < b.length && b[pos] == '-') pos++;
            int intStart = pos;
            while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
            int intDigits = pos - intStart;
            if (intDigits == 0) throw error("expected a value");
            if (intDigits > 1 && b[intStart] == '0') throw error("leading zero in a number");
            boolean integer = true;
            if (pos < b.length && b[pos] == '.') {
                integer = false;
                pos++;
                int fracStart = pos;
                while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
                if (pos == fracStart) throw error("expected digits after '.'");
            }
            if (pos < b.length && (b[pos] == 'e' || b[pos] == 'E')) {
                integer = false;
                pos++;
                if (pos < b.length && (b[pos] == '+' || b[pos] == '-')) pos++;
                int expStart = pos;
                while (pos < b.length && b[pos] >= '0' && b[pos] <= '9') pos++;
                if (pos == expStart) throw error("expected digits in the exponent");
            }
            String text = new String(b, start, pos - start, StandardCharsets.US_ASCII);
            if (integer && intDigits <= 18) return Long.parseLong(text);
            if (integer) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooBig) {
                    return Double.parseDouble(text);
                }
            }
            return Double.parseDouble(text);
        }
    }
}
