package dev.drover.agent.jobspec.hcl;

import dev.drover.agent.jobspec.hcl.Token.Kind;
import java.util.List;

/** The parser's read position over the tokens, shared by {@link HclParser} and {@link ExprParser}. */
final class TokenStream {

    /** The normalized source, to cut the exact text of a reference such as {@code var.x}. */
    final String src;
    private final List<Token> toks;
    private int i;

    TokenStream(String src, List<Token> toks) {
        this.src = src;
        this.toks = toks;
    }

    Token peek() {
        return toks.get(i);
    }

    Token peekAt(int ahead) {
        return toks.get(Math.min(i + ahead, toks.size() - 1));
    }

    /** Consumes a token; at EOF it keeps returning EOF. */
    Token next() {
        Token t = toks.get(i);
        if (!t.is(Kind.EOF)) {
            i++;
        }
        return t;
    }

    Token previous() {
        return toks.get(i - 1);
    }

    int index() {
        return i;
    }

    Token at(int index) {
        return toks.get(index);
    }

    void skipNewlines() {
        while (peek().is(Kind.NEWLINE)) {
            i++;
        }
    }

    void expect(Kind kind, String message) {
        Token t = next();
        if (!t.is(kind)) {
            throw error(t, message + ", got " + t.describe());
        }
    }

    static ParseError error(Token at, String message) {
        return new ParseError(new Diagnostic(at.pos(), message));
    }

    /** Unwinds to the enclosing body item; carries no stack trace since it is control flow. */
    static final class ParseError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Diagnostic diagnostic;

        ParseError(Diagnostic diagnostic) {
            super(diagnostic.message(), null, false, false);
            this.diagnostic = diagnostic;
        }
    }
}
