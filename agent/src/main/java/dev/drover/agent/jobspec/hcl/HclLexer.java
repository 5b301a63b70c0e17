package dev.drover.agent.jobspec.hcl;

import dev.drover.agent.jobspec.hcl.Token.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits HCL native syntax into tokens. Newlines are tokens (they end attributes); comments and
 * other whitespace are dropped. Problems are added to the diagnostics list and scanning goes on,
 * so one run reports every lexical error.
 */
final class HclLexer {

    /** Longest first, so "==" is not read as "=" "=". */
    private static final List<String> OPERATORS = List.of(
            "...", "==", "!=", "<=", ">=", "&&", "||", "=>", "+", "-", "*", "/", "%", "!", "<", ">", "?");

    private final Cursor c;
    private final List<Diagnostic> diags;
    private final List<Token> tokens = new ArrayList<>();

    private HclLexer(String file, String src, List<Diagnostic> diags) {
        this.c = new Cursor(file, src);
        this.diags = diags;
    }

    /** Tokens ending with EOF; {@code src} must already use "\n" line endings. */
    static List<Token> tokenize(String file, String src, List<Diagnostic> diags) {
        var lexer = new HclLexer(file, src, diags);
        lexer.run();
        return lexer.tokens;
    }

    private void run() {
        while (!c.atEnd()) {
            char ch = c.peek();
            if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\f') {
                c.advance();
            } else if (ch == '#' || c.lookingAt("//")) {
                skipLineComment();
            } else if (c.lookingAt("/*")) {
                skipBlockComment();
            } else {
                token();
            }
        }
        tokens.add(new Token(Kind.EOF, "", null, c.pos(), c.off, c.off));
    }

    private void token() {
        Pos pos = c.pos();
        int start = c.off;
        char ch = c.peek();
        int cp = c.codePoint();
        if (ch == '\n') {
            c.advance();
            emit(Kind.NEWLINE, null, pos, start);
        } else if (ch == '"') {
            c.advance();
            String value = TemplateScanner.quoted(c, pos, diags);
            emit(Kind.STRING, value, pos, start);
        } else if (c.lookingAt("<<") && heredocFollows()) {
            heredoc(pos, start);
        } else if (isDigit(ch)) {
            number(pos, start);
        } else if (isIdentStart(cp)) {
            c.advanceCodePoint();
            while (!c.atEnd() && isIdentPart(c.codePoint())) {
                c.advanceCodePoint();
            }
            emit(Kind.IDENT, c.src.substring(start, c.off), pos, start);
        } else if (operator() != null) {
            String op = operator();
            for (int i = 0; i < op.length(); i++) {
                c.advance();
            }
            emit(Kind.OPERATOR, null, pos, start);
        } else if (punctuation(ch) != null) {
            c.advance();
            emit(punctuation(ch), null, pos, start);
        } else if (ch == ';') {
            c.advance();
            diags.add(new Diagnostic(pos, "unexpected ';'; HCL separates attributes with newlines"));
        } else {
            c.advanceCodePoint();
            diags.add(new Diagnostic(pos, "unexpected character " + Quoting.quote(Character.toString(cp))));
        }
    }

    private void emit(Kind kind, Object value, Pos pos, int start) {
        String text = c.src.substring(start, c.off);
        tokens.add(new Token(kind, text, value, pos, start, c.off));
    }

    private static Kind punctuation(char ch) {
        return switch (ch) {
            case '{' -> Kind.LBRACE;
            case '}' -> Kind.RBRACE;
            case '[' -> Kind.LBRACK;
            case ']' -> Kind.RBRACK;
            case '(' -> Kind.LPAREN;
            case ')' -> Kind.RPAREN;
            case ':' -> Kind.COLON;
            case ',' -> Kind.COMMA;
            case '.' -> Kind.DOT;
            case '=' -> Kind.EQUALS;
            default -> null;
        };
    }

    /** The operator at the cursor, or null. Checked before punctuation so "==" and "..." win over "=" and ".". */
    private String operator() {
        for (String op : OPERATORS) {
            if (c.lookingAt(op)) {
                return op;
            }
        }
        return null;
    }

    private void skipLineComment() {
        while (!c.atEnd() && c.peek() != '\n') {
            c.advance();
        }
    }

    private void skipBlockComment() {
        Pos pos = c.pos();
        c.advance();
        c.advance();
        while (!c.lookingAt("*/")) {
            if (c.atEnd()) {
                diags.add(new Diagnostic(pos, "unterminated comment, expected '*/'"));
                return;
            }
            c.advance();
        }
        c.advance();
        c.advance();
    }

    private void number(Pos pos, int start) {
        digits();
        if (c.peek() == '.' && isDigit(c.peek(1))) {
            c.advance();
            digits();
        }
        char e = c.peek();
        if ((e == 'e' || e == 'E')
                && (isDigit(c.peek(1)) || ((c.peek(1) == '+' || c.peek(1) == '-') && isDigit(c.peek(2))))) {
            c.advance();
            c.advance();
            digits();
        }
        emit(Kind.NUMBER, new BigDecimal(c.src.substring(start, c.off)), pos, start);
    }

    private void digits() {
        while (isDigit(c.peek())) {
            c.advance();
        }
    }

    /** "<<EOT" or "<<-EOT"; anything else starting with "<<" is left to the operator rules. */
    private boolean heredocFollows() {
        int at = c.peek(2) == '-' ? 3 : 2;
        return c.off + at < c.src.length() && isIdentStart(c.src.codePointAt(c.off + at));
    }

    /**
     * A heredoc: the marker line, content lines, and a closing line holding only the marker. The
     * newline after the closing marker is left alone: it ends the attribute like any other.
     */
    private void heredoc(Pos pos, int start) {
        c.advance();
        c.advance();
        boolean flush = c.peek() == '-';
        if (flush) {
            c.advance();
        }
        int markerStart = c.off;
        while (!c.atEnd() && isIdentPart(c.codePoint())) {
            c.advanceCodePoint();
        }
        String marker = c.src.substring(markerStart, c.off);
        if (c.peek() != '\n') {
            diags.add(new Diagnostic(pos, "expected a newline after the heredoc marker <<" + (flush ? "-" : "") + marker));
            emit(Kind.HEREDOC, "", pos, start);
            return;
        }
        c.advance();
        var lines = new ArrayList<String>();
        boolean closed = false;
        while (!c.atEnd()) {
            int lineStart = c.off;
            while (!c.atEnd() && c.peek() != '\n') {
                c.advance();
            }
            String line = c.src.substring(lineStart, c.off);
            if (line.strip().equals(marker)) {
                closed = true;
                break;
            }
            if (!c.atEnd()) {
                c.advance();
                lines.add(line + "\n");
            } else {
                lines.add(line);
            }
        }
        if (!closed) {
            diags.add(new Diagnostic(pos, "unterminated heredoc, expected " + marker + " on a line of its own"));
        }
        if (flush) {
            stripCommonIndent(lines);
        }
        String value = TemplateScanner.heredocBody(String.join("", lines), pos, diags);
        emit(Kind.HEREDOC, value, pos, start);
    }

    /**
     * HCL's rule for {@code <<-}: remove the smallest leading-whitespace width of the lines that
     * have content; whitespace-only lines neither count nor change.
     */
    static void stripCommonIndent(List<String> lines) {
        int min = Integer.MAX_VALUE;
        for (String line : lines) {
            if (!line.isBlank()) {
                min = Math.min(min, indentOf(line));
            }
        }
        if (min == Integer.MAX_VALUE || min == 0) {
            return;
        }
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (!line.isBlank()) {
                lines.set(i, line.substring(min));
            }
        }
    }

    private static int indentOf(String line) {
        int n = 0;
        while (n < line.length() && (line.charAt(n) == ' ' || line.charAt(n) == '\t')) {
            n++;
        }
        return n;
    }

    private static boolean isDigit(char ch) {
        return ch >= '0' && ch <= '9';
    }

    /** HCL identifiers: a Unicode letter (or '_') then letters, digits, '_' and '-'. */
    static boolean isIdentStart(int cp) {
        return cp == '_' || Character.isLetter(cp);
    }

    static boolean isIdentPart(int cp) {
        return cp == '-' || cp == '_' || Character.isLetterOrDigit(cp);
    }
}
