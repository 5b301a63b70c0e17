package dev.drover.agent.jobspec.hcl;

import java.util.List;

/**
 * Reads template text, the contents of quoted strings and heredocs. Drover does not evaluate
 * templates: {@code ${...}} and {@code %{...}} sequences are copied verbatim (so runtime
 * interpolation like {@code ${NOMAD_TASK_DIR}} reaches the task untouched), while the literal
 * parts get HCL's processing: {@code $${} becomes {@code ${}, {@code %%{} becomes {@code %{},
 * and in quoted strings only, backslash escapes are decoded.
 */
final class TemplateScanner {

    private enum Mode { QUOTED, HEREDOC }

    private final Cursor c;
    private final Mode mode;
    private final Pos open;
    private final List<Diagnostic> diags;
    private final StringBuilder out = new StringBuilder();
    /** Set once a nested problem was reported, so the same typo is not reported twice. */
    private boolean reported;

    private TemplateScanner(Cursor c, Mode mode, Pos open, List<Diagnostic> diags) {
        this.c = c;
        this.mode = mode;
        this.open = open;
        this.diags = diags;
    }

    /**
     * Reads a quoted string whose opening quote at {@code open} was already consumed; leaves the
     * cursor after the closing quote (or at the end of the line if there is none).
     */
    static String quoted(Cursor c, Pos open, List<Diagnostic> diags) {
        var scanner = new TemplateScanner(c, Mode.QUOTED, open, diags);
        scanner.scanQuoted();
        return scanner.out.toString();
    }

    /** Processes a heredoc body that was already cut from its markers (and indent-stripped). */
    static String heredocBody(String body, Pos open, List<Diagnostic> diags) {
        var scanner = new TemplateScanner(new Cursor(open.file(), body), Mode.HEREDOC, open, diags);
        while (!scanner.c.atEnd()) {
            scanner.literalChar();
        }
        return scanner.out.toString();
    }

    private void scanQuoted() {
        while (true) {
            if (c.atEnd() || c.peek() == '\n') {
                if (!reported) {
                    diags.add(new Diagnostic(open, "unterminated string, expected '\"' before the end of the line"));
                }
                return;
            }
            if (c.peek() == '"') {
                c.advance();
                return;
            }
            if (c.peek() == '\\') {
                escape();
            } else {
                literalChar();
            }
        }
    }

    /** One step through literal text: an escaped or verbatim template sequence, or a plain character. */
    private void literalChar() {
        char ch = c.peek();
        boolean sigil = ch == '$' || ch == '%';
        if (sigil && c.peek(1) == ch && c.peek(2) == '{') {
            c.advance(); // "$${" is the escape for a literal "${"
            out.append(c.advance()).append(c.advance());
        } else if (sigil && c.peek(1) == '{') {
            copySequence();
        } else {
            out.append(c.advance());
        }
    }

    /** Copies {@code ${ ... }} verbatim up to its matching brace, looking inside nested strings. */
    private void copySequence() {
        Pos start = mode == Mode.QUOTED ? c.pos() : open;
        out.append(c.advance()).append(c.advance());
        int depth = 1;
        while (depth > 0 && !reported) {
            // In a quoted string a sequence must close on its line, so a typo like "${X" is
            // reported where it is rather than swallowing the rest of the file.
            if (c.atEnd() || (mode == Mode.QUOTED && c.peek() == '\n')) {
                diags.add(new Diagnostic(start, "unterminated template sequence, expected '}'"));
                reported = true;
                return;
            }
            char ch = c.peek();
            if (ch == '"') {
                copyNestedString(start);
                continue;
            }
            if (ch == '{') {
                depth++;
            } else if (ch == '}') {
                depth--;
            }
            out.append(c.advance());
        }
    }

    /**
     * A string inside a template sequence, e.g. {@code ${lookup(m, "}")}}: its braces do not count.
     * If it runs to the end of the line, the sequence starting at {@code sequenceStart} is what
     * is reported: in {@code "${x"} the quote most likely closes the outer string.
     */
    private void copyNestedString(Pos sequenceStart) {
        out.append(c.advance());
        while (!reported) {
            if (c.atEnd() || c.peek() == '\n') {
                diags.add(new Diagnostic(sequenceStart, "unterminated template sequence, expected '}'"));
                reported = true;
                return;
            }
            char ch = c.peek();
            if (ch == '"') {
                out.append(c.advance());
                return;
            }
            if (ch == '\\') {
                out.append(c.advance());
                if (!c.atEnd() && c.peek() != '\n') {
                    out.append(c.advance());
                }
            } else if ((ch == '$' || ch == '%') && c.peek(1) == '{') {
                copySequence();
            } else {
                out.append(c.advance());
            }
        }
    }

    private void escape() {
        Pos at = c.pos();
        c.advance(); // the backslash
        if (c.atEnd() || c.peek() == '\n') {
            return; // the caller reports the unterminated string
        }
        char e = c.advance();
        switch (e) {
            case 'n' -> out.append('\n');
            case 't' -> out.append('\t');
            case 'r' -> out.append('\r');
            case '"' -> out.append('"');
            case '\\' -> out.append('\\');
            case 'u' -> unicodeEscape(at, 4);
            case 'U' -> unicodeEscape(at, 8);
            default -> diags.add(new Diagnostic(at, "invalid escape sequence \"\\" + e
                    + "\"; the valid ones are \\n \\t \\r \\\" \\\\ \\uXXXX \\UXXXXXXXX"));
        }
    }

    private void unicodeEscape(Pos at, int digits) {
        int cp = 0;
        for (int i = 0; i < digits; i++) {
            int d = Character.digit(c.peek(), 16);
            if (d < 0) {
                diags.add(new Diagnostic(at, "invalid unicode escape, expected " + digits + " hex digits after \\"
                        + (digits == 4 ? 'u' : 'U')));
                return;
            }
            c.advance();
            cp = cp * 16 + d;
        }
        if (!Character.isValidCodePoint(cp) || (cp >= 0xD800 && cp <= 0xDFFF)) {
            diags.add(new Diagnostic(at, String.format("invalid unicode escape, U+%X is not a character", cp)));
            return;
        }
        out.appendCodePoint(cp);
    }
}
