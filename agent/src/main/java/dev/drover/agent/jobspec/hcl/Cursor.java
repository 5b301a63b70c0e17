package dev.drover.agent.jobspec.hcl;

/** A read position in source text that keeps line and column up to date as it advances. */
final class Cursor {

    final String file;
    final String src;
    int off;
    private int line;
    private int col;

    Cursor(String file, String src) {
        this.file = file;
        this.src = src;
        this.line = 1;
        this.col = 1;
    }

    boolean atEnd() {
        return off >= src.length();
    }

    /** The current character, or NUL at the end. */
    char peek() {
        return peek(0);
    }

    char peek(int ahead) {
        int at = off + ahead;
        return at < src.length() ? src.charAt(at) : '\0';
    }

    boolean lookingAt(String s) {
        return src.startsWith(s, off);
    }

    char advance() {
        char c = src.charAt(off++);
        if (c == '\n') {
            line++;
            col = 1;
        } else if (!Character.isLowSurrogate(c)) {
            col++; // a surrogate pair is one code point, so one column
        }
        return c;
    }

    /** Advances over one code point and returns it. */
    int advanceCodePoint() {
        int cp = src.codePointAt(off);
        advance();
        if (Character.isSupplementaryCodePoint(cp)) {
            advance();
        }
        return cp;
    }

    int codePoint() {
        return atEnd() ? -1 : src.codePointAt(off);
    }

    Pos pos() {
        return new Pos(file, line, col);
    }
}
