package dev.drover.agent.jobspec.hcl;

import dev.drover.agent.jobspec.hcl.HclExpr.BoolLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NullLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NumberLit;
import dev.drover.agent.jobspec.hcl.HclExpr.ObjectExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.StringLit;
import dev.drover.agent.jobspec.hcl.HclExpr.Traversal;
import dev.drover.agent.jobspec.hcl.HclExpr.TupleExpr;
import dev.drover.agent.jobspec.hcl.Token.Kind;
import dev.drover.agent.jobspec.hcl.TokenStream.ParseError;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the expressions Drover supports: literals, lists, objects and references (kept as
 * {@link Traversal}). Operators, function calls and {@code for} expressions stop with a clear
 * "not supported" error instead of being misread.
 */
final class ExprParser {

    private final TokenStream ts;
    private final List<Diagnostic> diags;

    ExprParser(TokenStream ts, List<Diagnostic> diags) {
        this.ts = ts;
        this.diags = diags;
    }

    HclExpr expression() {
        HclExpr value = unary();
        Token t = ts.peek();
        if (t.is(Kind.OPERATOR)) {
            throw unsupportedOperator(t);
        }
        return value;
    }

    private HclExpr unary() {
        Token t = ts.peek();
        if (t.isOperator("-") && ts.peekAt(1).is(Kind.NUMBER)) {
            ts.next();
            BigDecimal n = (BigDecimal) ts.next().value();
            return new NumberLit(NumberLit.normalize(n.negate()), t.pos());
        }
        if (t.is(Kind.OPERATOR)) {
            throw unsupportedOperator(t);
        }
        return primary();
    }

    private ParseError unsupportedOperator(Token t) {
        return TokenStream.error(t, "operator '" + t.text() + "' is not supported; Drover reads literal values only");
    }

    private HclExpr primary() {
        Token t = ts.next();
        return switch (t.kind()) {
            case STRING, HEREDOC -> new StringLit((String) t.value(), t.pos());
            case NUMBER -> new NumberLit(NumberLit.normalize((BigDecimal) t.value()), t.pos());
            case LBRACK -> tuple(t);
            case LBRACE -> object(t);
            case LPAREN -> {
                ts.skipNewlines();
                HclExpr inner = expression();
                ts.skipNewlines();
                ts.expect(Kind.RPAREN, "expected ')' to close the '(' at " + t.pos().lineCol());
                yield inner;
            }
            case IDENT -> identifier(t);
            default -> throw TokenStream.error(t, "expected a value, got " + t.describe());
        };
    }

    /** {@code true}, {@code false}, {@code null}, or a reference such as {@code var.x} or {@code a[0].b}. */
    private HclExpr identifier(Token first) {
        Token after = ts.peek();
        if (after.is(Kind.LPAREN)) {
            throw TokenStream.error(first, "function calls are not supported: " + first.text() + "(...)");
        }
        if (!after.is(Kind.DOT) && !after.is(Kind.LBRACK)) {
            switch (first.text()) {
                case "true" -> { return new BoolLit(true, first.pos()); }
                case "false" -> { return new BoolLit(false, first.pos()); }
                case "null" -> { return new NullLit(first.pos()); }
                default -> { }
            }
        }
        while (true) {
            if (ts.peek().is(Kind.DOT)) {
                ts.next();
                Token part = ts.next();
                if (!part.is(Kind.IDENT) && !part.is(Kind.NUMBER) && !part.isOperator("*")) {
                    throw TokenStream.error(part, "expected a name after '.', got " + part.describe());
                }
            } else if (ts.peek().is(Kind.LBRACK)) {
                Token open = ts.next();
                if (ts.peek().isOperator("*")) {
                    ts.next();
                } else {
                    expression();
                }
                ts.expect(Kind.RBRACK, "expected ']' to close the '[' at " + open.pos().lineCol());
            } else {
                break;
            }
        }
        return new Traversal(ts.src.substring(first.start(), ts.previous().end()), first.pos());
    }

    private HclExpr tuple(Token open) {
        var elements = new ArrayList<HclExpr>();
        ts.skipNewlines();
        rejectForExpression();
        while (true) {
            ts.skipNewlines();
            if (ts.peek().is(Kind.RBRACK)) {
                ts.next();
                break;
            }
            if (ts.peek().is(Kind.EOF)) {
                throw unterminatedList(ts.peek(), open);
            }
            elements.add(expression());
            ts.skipNewlines();
            Token t = ts.next();
            if (t.is(Kind.RBRACK)) {
                break;
            }
            if (t.is(Kind.EOF)) {
                throw unterminatedList(t, open);
            }
            if (!t.is(Kind.COMMA)) {
                throw TokenStream.error(t, "expected ',' or ']' after a list element, got " + t.describe());
            }
        }
        return new TupleExpr(elements, open.pos());
    }

    private static ParseError unterminatedList(Token at, Token open) {
        return TokenStream.error(at, "unterminated list, expected ']' to close the '[' at " + open.pos().lineCol());
    }

    private HclExpr object(Token open) {
        var items = new ArrayList<ObjectExpr.Item>();
        Map<String, Pos> keys = new HashMap<>();
        ts.skipNewlines();
        rejectForExpression();
        while (true) {
            ts.skipNewlines();
            Token k = ts.next();
            if (k.is(Kind.RBRACE)) {
                break;
            }
            String key = objectKey(k, open);
            Token sep = ts.next();
            if (!sep.is(Kind.EQUALS) && !sep.is(Kind.COLON)) {
                throw TokenStream.error(sep, "expected '=' or ':' after object key " + Quoting.quote(key) + ", got " + sep.describe());
            }
            Token v = ts.peek();
            if (v.is(Kind.NEWLINE) || v.is(Kind.EOF) || v.is(Kind.COMMA) || v.is(Kind.RBRACE)) {
                throw TokenStream.error(v, "expected a value for object key " + Quoting.quote(key));
            }
            HclExpr value = expression();
            if (keys.containsKey(key)) {
                diags.add(new Diagnostic(k.pos(), "duplicate object key " + Quoting.quote(key) + " (first at "
                        + keys.get(key).lineCol() + ")"));
            } else {
                keys.put(key, k.pos());
                items.add(new ObjectExpr.Item(key, value, k.pos()));
            }
            Token t = ts.next();
            if (t.is(Kind.RBRACE)) {
                break;
            }
            if (t.is(Kind.EOF)) {
                throw TokenStream.error(t, "unterminated object, expected '}' to close the '{' at " + open.pos().lineCol());
            }
            if (!t.is(Kind.COMMA) && !t.is(Kind.NEWLINE)) {
                throw TokenStream.error(t, "expected ',' or a newline after the value of object key " + Quoting.quote(key)
                        + ", got " + t.describe());
            }
        }
        return new ObjectExpr(items, open.pos());
    }

    private String objectKey(Token k, Token open) {
        return switch (k.kind()) {
            case IDENT -> {
                if (ts.peek().is(Kind.DOT) || ts.peek().is(Kind.LBRACK)) {
                    throw TokenStream.error(k, "object keys must be names or quoted strings; references are not supported");
                }
                yield k.text();
            }
            case STRING -> (String) k.value();
            case NUMBER -> k.text();
            case LPAREN -> throw TokenStream.error(k, "computed object keys like (expr) are not supported");
            case EOF -> throw TokenStream.error(k, "unterminated object, expected '}' to close the '{' at " + open.pos().lineCol());
            default -> throw TokenStream.error(k, "expected an object key, got " + k.describe());
        };
    }

    private void rejectForExpression() {
        if (ts.peek().is(Kind.IDENT) && ts.peek().text().equals("for") && ts.peekAt(1).is(Kind.IDENT)) {
            throw TokenStream.error(ts.peek(), "for expressions are not supported");
        }
    }
}
