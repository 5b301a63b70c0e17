package dev.drover.agent.jobspec.hcl;

import dev.drover.agent.jobspec.hcl.Token.Kind;
import dev.drover.agent.jobspec.hcl.TokenStream.ParseError;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parser for HCL2 native syntax (see the package documentation for the supported subset). An
 * error inside one attribute or block header is recorded and parsing resumes at the next line of
 * the same body, so one run reports every independent syntax error in one {@link HclException}.
 */
public final class HclParser {

    private final TokenStream ts;
    private final ExprParser exprs;
    private final List<Diagnostic> diags;
    /** An unclosed block is reported once, for the outermost one (inner blocks just run into EOF too). */
    private Diagnostic unclosed;

    private HclParser(TokenStream ts, List<Diagnostic> diags) {
        this.ts = ts;
        this.exprs = new ExprParser(ts, diags);
        this.diags = diags;
    }

    /**
     * Parses a whole file. CRLF line endings and a leading byte-order mark are accepted.
     *
     * @param filename used only in positions and messages
     * @throws HclException listing every syntax error found
     */
    public static HclBody parse(String filename, String source) {
        var diags = new ArrayList<Diagnostic>();
        HclParser parser = start(filename, source, diags);
        HclBody body = parser.body(null, null);
        if (parser.unclosed != null) {
            diags.add(parser.unclosed);
        }
        if (!diags.isEmpty()) {
            throw new HclException(diags);
        }
        return body;
    }

    /** Parses a single expression such as {@code ["a", 1]} (e.g. a value given on a command line). */
    public static HclExpr parseExpression(String filename, String source) {
        var diags = new ArrayList<Diagnostic>();
        HclParser parser = start(filename, source, diags);
        TokenStream ts = parser.ts;
        try {
            ts.skipNewlines();
            HclExpr expr = parser.exprs.expression();
            ts.skipNewlines();
            if (!ts.peek().is(Kind.EOF)) {
                throw TokenStream.error(ts.peek(), "expected the end of the expression, got " + ts.peek().describe());
            }
            if (diags.isEmpty()) {
                return expr;
            }
        } catch (ParseError e) {
            diags.add(e.diagnostic);
        }
        throw new HclException(diags);
    }

    private static HclParser start(String filename, String source, List<Diagnostic> diags) {
        String text = source.startsWith("\uFEFF") ? source.substring(1) : source;
        text = text.replace("\r\n", "\n");
        List<Token> tokens = HclLexer.tokenize(filename, text, diags);
        if (!diags.isEmpty()) {
            throw new HclException(diags); // parsing a broken token stream would only add noise
        }
        return new HclParser(new TokenStream(text, tokens), diags);
    }

    /** Items up to the closing '}' (left for the caller) or EOF; {@code blockName} is null at file level. */
    private HclBody body(String blockName, Pos openPos) {
        var items = new ArrayList<HclItem>();
        Map<String, Pos> attributes = new HashMap<>();
        while (true) {
            ts.skipNewlines();
            Token t = ts.peek();
            if (t.is(Kind.EOF)) {
                if (blockName != null) {
                    unclosed = new Diagnostic(t.pos(), "expected '}' to close block \"" + blockName
                            + "\" opened at " + openPos.lineCol());
                }
                return new HclBody(items);
            }
            if (t.is(Kind.RBRACE)) {
                if (blockName != null) {
                    return new HclBody(items);
                }
                diags.add(new Diagnostic(t.pos(), "unexpected '}' with no open block"));
                ts.next();
                continue;
            }
            int start = ts.index();
            try {
                HclItem item = item();
                if (item instanceof HclAttribute a && attributes.containsKey(a.name())) {
                    diags.add(new Diagnostic(a.pos(), "attribute \"" + a.name() + "\" was already set at "
                            + attributes.get(a.name()).lineCol()));
                } else {
                    if (item instanceof HclAttribute a) {
                        attributes.put(a.name(), a.pos());
                    }
                    items.add(item);
                }
            } catch (ParseError e) {
                diags.add(e.diagnostic);
                recover(start);
            }
        }
    }

    private HclItem item() {
        Token name = ts.next();
        if (!name.is(Kind.IDENT)) {
            throw TokenStream.error(name, "expected an attribute or block name, got " + name.describe());
        }
        Token after = ts.peek();
        return switch (after.kind()) {
            case EQUALS -> {
                ts.next();
                yield attribute(name, false);
            }
            case STRING, IDENT, LBRACE -> block(name);
            default -> throw TokenStream.error(after, "expected '=' or '{' after \"" + name.text() + "\"");
        };
    }

    /** The value after {@code name =}; in a multi-line body it must end its line. */
    private HclAttribute attribute(Token name, boolean singleLine) {
        Token t = ts.peek();
        if (t.is(Kind.NEWLINE) || t.is(Kind.EOF) || t.is(Kind.RBRACE)) {
            throw TokenStream.error(t, "expected a value for \"" + name.text() + "\" after '='");
        }
        HclExpr value = exprs.expression();
        Token end = ts.peek();
        // HCL wants a newline here; a '}' is accepted too since it cannot be misread.
        if (!singleLine && !end.is(Kind.NEWLINE) && !end.is(Kind.EOF) && !end.is(Kind.RBRACE)) {
            throw TokenStream.error(end, "expected a newline after the value of \"" + name.text() + "\", got "
                    + end.describe());
        }
        return new HclAttribute(name.text(), value, name.pos());
    }

    private HclBlock block(Token type) {
        var labels = new ArrayList<String>();
        while (ts.peek().is(Kind.STRING) || ts.peek().is(Kind.IDENT)) {
            Token label = ts.next();
            labels.add(label.is(Kind.STRING) ? (String) label.value() : label.text());
        }
        Token open = ts.next();
        if (!open.is(Kind.LBRACE)) {
            throw TokenStream.error(open, "expected '{' to open block \"" + type.text() + "\", got " + open.describe());
        }
        HclBody body;
        if (ts.peek().is(Kind.RBRACE)) {
            ts.next();
            body = new HclBody(List.of());
        } else if (!ts.peek().is(Kind.NEWLINE)) {
            body = singleLineBody(type);
        } else {
            body = body(type.text(), type.pos());
            if (ts.peek().is(Kind.RBRACE)) {
                ts.next();
            }
        }
        Token end = ts.peek();
        if (!end.is(Kind.NEWLINE) && !end.is(Kind.EOF) && !end.is(Kind.RBRACE)) {
            throw TokenStream.error(end, "expected a newline after the closing '}' of block \"" + type.text()
                    + "\", got " + end.describe());
        }
        return new HclBlock(type.text(), labels, body, type.pos());
    }

    /** {@code a { b = 1 }}: HCL allows exactly one attribute (no nested blocks) on a single line. */
    private HclBody singleLineBody(Token type) {
        Token name = ts.next();
        if (!name.is(Kind.IDENT)) {
            throw TokenStream.error(name, "expected an attribute or '}' in block \"" + type.text() + "\", got "
                    + name.describe());
        }
        if (!ts.peek().is(Kind.EQUALS)) {
            throw TokenStream.error(name,
                    "a single-line block may only hold one attribute; put nested blocks on their own lines");
        }
        ts.next();
        HclAttribute attribute = attribute(name, true);
        Token close = ts.next();
        if (!close.is(Kind.RBRACE)) {
            throw TokenStream.error(close, "expected '}' to close single-line block \"" + type.text()
                    + "\" (a single-line block may only hold one attribute), got " + close.describe());
        }
        return new HclBody(List.of(attribute));
    }

    /** Skips to the end of the broken item: the next newline outside brackets, or the body's '}'. */
    private void recover(int itemStart) {
        int depth = 0;
        for (int k = itemStart; k < ts.index(); k++) {
            depth += nesting(ts.at(k));
        }
        while (true) {
            Token t = ts.peek();
            if (t.is(Kind.EOF) || (depth <= 0 && (t.is(Kind.NEWLINE) || t.is(Kind.RBRACE)))) {
                return;
            }
            depth += nesting(t);
            ts.next();
        }
    }

    private static int nesting(Token t) {
        return switch (t.kind()) {
            case LBRACE, LBRACK, LPAREN -> 1;
            case RBRACE, RBRACK, RPAREN -> -1;
            default -> 0;
        };
    }
}
