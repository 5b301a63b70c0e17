package dev.drover.agent.jobspec.hcl;

/**
 * A lexical token. {@code text} is the exact source text (used to rebuild traversals such as
 * {@code var.x} and to quote tokens in messages); {@code value} is the processed string for
 * STRING/HEREDOC/IDENT tokens and a {@link java.math.BigDecimal} for NUMBER tokens.
 */
record Token(Kind kind, String text, Object value, Pos pos, int start, int end) {

    enum Kind {
        IDENT, NUMBER, STRING, HEREDOC,
        LBRACE, RBRACE, LBRACK, RBRACK, LPAREN, RPAREN,
        EQUALS, COLON, COMMA, DOT,
        /** Any operator ({@code + - * / % ! == != < > <= >= && || ? => ...}); Drover supports none. */
        OPERATOR,
        NEWLINE, EOF
    }

    boolean is(Kind k) {
        return kind == k;
    }

    boolean isOperator(String op) {
        return kind == Kind.OPERATOR && text.equals(op);
    }

    /** How the token reads in "got ..." messages. */
    String describe() {
        return switch (kind) {
            case NEWLINE -> "end of line";
            case EOF -> "end of file";
            case STRING -> "string " + Quoting.quote((String) value);
            case HEREDOC -> "heredoc";
            case NUMBER -> "number " + text;
            default -> "'" + text + "'";
        };
    }
}
