package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.jobspec.hcl.Token.Kind;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class HclLexerTest {

    private static List<Token> lex(String src) {
        var diags = new ArrayList<Diagnostic>();
        List<Token> tokens = HclLexer.tokenize("t.hcl", src, diags);
        assertEquals(List.of(), diags);
        return tokens;
    }

    private static List<Kind> kinds(String src) {
        return lex(src).stream().map(Token::kind).toList();
    }

    @Test
    void punctuationAndNewlines() {
        assertEquals(List.of(Kind.IDENT, Kind.STRING, Kind.LBRACE, Kind.NEWLINE, Kind.IDENT, Kind.EQUALS,
                        Kind.LBRACK, Kind.NUMBER, Kind.COMMA, Kind.NUMBER, Kind.RBRACK, Kind.NEWLINE, Kind.RBRACE, Kind.EOF),
                kinds("a \"b\" {\n  c = [1, 2]\n}"));
        assertEquals(List.of(Kind.LPAREN, Kind.RPAREN, Kind.COLON, Kind.DOT, Kind.EOF), kinds("():."));
    }

    @Test
    void operatorsAreOneTokenEach() {
        List<Token> tokens = lex("== != <= >= && || => ... + - * / % ! < > ?");
        List<String> ops = tokens.stream().filter(t -> t.is(Kind.OPERATOR)).map(Token::text).toList();
        assertEquals(List.of("==", "!=", "<=", ">=", "&&", "||", "=>", "...", "+", "-", "*", "/", "%", "!", "<", ">", "?"), ops);
    }

    @Test
    void commentsAreDroppedButTheirLineEndsStay() {
        assertEquals(List.of(Kind.IDENT, Kind.NEWLINE, Kind.IDENT, Kind.NEWLINE, Kind.IDENT, Kind.IDENT, Kind.EOF),
                kinds("a # one\nb // two\n/* three\n spans */ c /* inline */ d"));
    }

    @Test
    void identifiersMayContainDashesAndUnicode() {
        List<Token> tokens = lex("max-files _x état 日本");
        assertEquals(List.of("max-files", "_x", "état", "日本", ""), tokens.stream().map(Token::text).toList());
    }

    @Test
    void numbersKeepTheirExactValue() {
        List<Token> tokens = lex("0 42 3.25 1e3 2.5E-2 12345678901234567890");
        assertEquals(List.of(new BigDecimal("0"), new BigDecimal("42"), new BigDecimal("3.25"), new BigDecimal("1e3"),
                        new BigDecimal("2.5E-2"), new BigDecimal("12345678901234567890")),
                tokens.stream().filter(t -> t.is(Kind.NUMBER)).map(Token::value).toList());
    }

    @Test
    void aDotAfterANumberWithoutDigitsIsATraversalDot() {
        assertEquals(List.of(Kind.IDENT, Kind.DOT, Kind.NUMBER, Kind.DOT, Kind.IDENT, Kind.EOF), kinds("a.0.b"));
    }

    @Test
    void positionsCountCodePointsNotUtf16Units() {
        // The emoji is two chars in Java but one column, like HCL counts it.
        List<Token> tokens = lex("x = \"😀\" y\n  z");
        assertEquals(new Pos("t.hcl", 1, 1), tokens.get(0).pos());
        assertEquals(new Pos("t.hcl", 1, 5), tokens.get(2).pos());
        assertEquals(new Pos("t.hcl", 1, 9), tokens.get(3).pos());
        assertEquals(new Pos("t.hcl", 2, 3), tokens.get(5).pos());
    }

    @Test
    void tokenTextIsTheExactSource() {
        List<Token> tokens = lex("\"a\\tb\" <<EOT\nx\nEOT\n");
        assertEquals("\"a\\tb\"", tokens.get(0).text());
        assertEquals("a\tb", tokens.get(0).value());
        assertEquals("<<EOT\nx\nEOT", tokens.get(1).text());
        assertEquals(Kind.NEWLINE, tokens.get(2).kind());
    }

    @Test
    void lexicalErrorsAreAllCollected() {
        var diags = new ArrayList<Diagnostic>();
        HclLexer.tokenize("t.hcl", "a = 1;\nb = @\nc = \"open\n", diags);
        assertEquals(List.of(
                "t.hcl:1:6: unexpected ';'; HCL separates attributes with newlines",
                "t.hcl:2:5: unexpected character \"@\"",
                "t.hcl:3:5: unterminated string, expected '\"' before the end of the line"),
                diags.stream().map(Diagnostic::toString).toList());
    }

    @Test
    void describeNamesTokensReadably() {
        List<Token> tokens = lex("x \"s\" 12 [\n");
        assertEquals("'x'", tokens.get(0).describe());
        assertEquals("string \"s\"", tokens.get(1).describe());
        assertEquals("number 12", tokens.get(2).describe());
        assertEquals("'['", tokens.get(3).describe());
        assertEquals("end of line", tokens.get(4).describe());
        assertTrue(tokens.get(5).describe().equals("end of file"));
    }
}
