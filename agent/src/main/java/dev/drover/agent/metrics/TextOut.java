package dev.drover.agent.metrics;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes Prometheus text exposition (format 0.0.4) straight into a byte buffer: per-task series
 * are thousands of lines per scrape, and going through snapshot objects and the client library's
 * writer allocated and escaped every label set again each time. Label sets are rendered once
 * ({@link #labelText}) and reused; numbers are written without intermediate strings where exact.
 */
final class TextOut implements AutoCloseable {
    private static final byte[] HELP = "# HELP ".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TYPE = "# TYPE ".getBytes(StandardCharsets.US_ASCII);
    /** Integral values up to 2^53 are exact as doubles and written as integers. */
    private static final double MAX_EXACT = 9007199254740992.0;

    private final OutputStream out;
    private final byte[] buf = new byte[64 * 1024];
    private int pos;

    TextOut(OutputStream out) {
        this.out = out;
    }

    /** The HELP and TYPE lines of a family; {@code name} as exposed (a counter's with its _total). */
    void header(byte[] name, byte[] help, byte[] type) throws IOException {
        write(HELP).write(name).write((byte) ' ').write(help).write((byte) '\n');
        write(TYPE).write(name).write((byte) ' ').write(type).write((byte) '\n');
    }

    /** One sample line: {@code name{labels} value}; {@code labels} includes the braces (or is empty). */
    void sample(byte[] name, byte[] labels, double value) throws IOException {
        write(name).write(labels).write((byte) ' ').number(value).write((byte) '\n');
    }

    /** One sample line whose label set is {@code {prefix...labels}}: e.g. a driver label before a task's. */
    void sample(byte[] name, byte[] prefix, byte[] labels, double value) throws IOException {
        write(name).write((byte) '{').write(prefix).write(labels).write((byte) '}').write((byte) ' ').number(value).write((byte) '\n');
    }

    TextOut write(byte[] b) throws IOException {
        if (b.length > buf.length - pos) {
            flushBuffer();
            if (b.length > buf.length) {
                out.write(b);
                return this;
            }
        }
        System.arraycopy(b, 0, buf, pos, b.length);
        pos += b.length;
        return this;
    }

    TextOut write(byte b) throws IOException {
        if (pos == buf.length) flushBuffer();
        buf[pos++] = b;
        return this;
    }

    private TextOut number(double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < MAX_EXACT) return integer((long) v);
        if (Double.isNaN(v)) return write(ascii("NaN"));
        if (Double.isInfinite(v)) return write(ascii(v > 0 ? "+Inf" : "-Inf"));
        return write(ascii(Double.toString(v)));
    }

    private TextOut integer(long v) throws IOException {
        if (buf.length - pos < 20) flushBuffer();
        if (v < 0) {
            buf[pos++] = '-';
            v = -v;
        }
        int start = pos;
        do {
            buf[pos++] = (byte) ('0' + v % 10);
            v /= 10;
        } while (v > 0);
        for (int i = start, j = pos - 1; i < j; i++, j--) {
            byte t = buf[i];
            buf[i] = buf[j];
            buf[j] = t;
        }
        return this;
    }

    private void flushBuffer() throws IOException {
        out.write(buf, 0, pos);
        pos = 0;
    }

    @Override
    public void close() throws IOException {
        flushBuffer();
        out.flush();
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    /** {@code a="x",b="y"} with the format's escapes (backslash, double quote, newline), as UTF-8. */
    static byte[] labelText(java.util.List<String> names, String[] values) {
        var sb = new StringBuilder();
        for (int i = 0; i < values.length; i++) {
            if (i > 0) sb.append(',');
            sb.append(names.get(i)).append("=\"");
            escape(sb, values[i], true);
            sb.append('"');
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** HELP text escapes backslash and newline only. */
    static byte[] helpText(String help) {
        var sb = new StringBuilder();
        escape(sb, help, false);
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void escape(StringBuilder sb, String s, boolean quotes) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '"' -> sb.append(quotes ? "\\\"" : "\"");
                default -> sb.append(c);
            }
        }
    }
}
