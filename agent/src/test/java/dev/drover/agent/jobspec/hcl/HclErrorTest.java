package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** Every syntax error with its exact text and position. */
class HclErrorTest {

    private static List<String> errors(String src) {
        HclException e = assertThrows(HclException.class, () -> HclParser.parse("t.hcl", src));
        return e.diagnostics().stream().map(Diagnostic::toString).toList();
    }

    private static String error(String src) {
        List<String> all = errors(src);
        assertEquals(1, all.size(), () -> "expected one error, got " + all);
        return all.getFirst();
    }

    // Sources use '|' for a newline so each case fits on one line; the text block turns \\ into \.
    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        foo 1                  ~ t.hcl:1:5: expected '=' or '{' after "foo"
        foo "x" = 1            ~ t.hcl:1:9: expected '{' to open block "foo", got '='
        foo|                   ~ t.hcl:1:4: expected '=' or '{' after "foo"
        foo: 1                 ~ t.hcl:1:4: expected '=' or '{' after "foo"
        "a" = 1                ~ t.hcl:1:1: expected an attribute or block name, got string "a"
        a "x"|                 ~ t.hcl:1:6: expected '{' to open block "a", got end of line
        a =|b = 1              ~ t.hcl:1:4: expected a value for "a" after '='
        a = 1 b = 2            ~ t.hcl:1:7: expected a newline after the value of "a", got 'b'
        a {} b = 1             ~ t.hcl:1:6: expected a newline after the closing '}' of block "a", got 'b'
        a { b = 1 c = 2 }      ~ t.hcl:1:11: expected '}' to close single-line block "a" (a single-line block may only hold one attribute), got 'c'
        a { b {} }             ~ t.hcl:1:5: a single-line block may only hold one attribute; put nested blocks on their own lines
        a = upper("x")         ~ t.hcl:1:5: function calls are not supported: upper(...)
        a = 1 + 2              ~ t.hcl:1:7: operator '+' is not supported; Drover reads literal values only
        a = true ? 1 : 2       ~ t.hcl:1:10: operator '?' is not supported; Drover reads literal values only
        a = !true              ~ t.hcl:1:5: operator '!' is not supported; Drover reads literal values only
        a = -x                 ~ t.hcl:1:5: operator '-' is not supported; Drover reads literal values only
        a = [for x in y: x]    ~ t.hcl:1:6: for expressions are not supported
        a = {for k, v in m: k => v} ~ t.hcl:1:6: for expressions are not supported
        a = [1 2]              ~ t.hcl:1:8: expected ',' or ']' after a list element, got number 2
        a = [1,                ~ t.hcl:1:8: unterminated list, expected ']' to close the '[' at 1:5
        a = [1                 ~ t.hcl:1:7: unterminated list, expected ']' to close the '[' at 1:5
        a = [,]                ~ t.hcl:1:6: expected a value, got ','
        a = { b 1 }            ~ t.hcl:1:9: expected '=' or ':' after object key "b", got number 1
        a = { b = 1 c = 2 }    ~ t.hcl:1:13: expected ',' or a newline after the value of object key "b", got 'c'
        a = { b = }            ~ t.hcl:1:11: expected a value for object key "b"
        a = { b = 1            ~ t.hcl:1:12: unterminated object, expected '}' to close the '{' at 1:5
        a = { (k) = 1 }        ~ t.hcl:1:7: computed object keys like (expr) are not supported
        a = { x.y = 1 }        ~ t.hcl:1:7: object keys must be names or quoted strings; references are not supported
        a = { [1] = 1 }        ~ t.hcl:1:7: expected an object key, got '['
        a = (1                 ~ t.hcl:1:7: expected ')' to close the '(' at 1:5, got end of file
        a = x[1                ~ t.hcl:1:8: expected ']' to close the '[' at 1:6, got end of file
        a = x.[                ~ t.hcl:1:7: expected a name after '.', got '['
        }|a = 1                ~ t.hcl:1:1: unexpected '}' with no open block
        a = 1|a = 2            ~ t.hcl:2:1: attribute "a" was already set at 1:1
        a = { b = 1, b = 2 }   ~ t.hcl:1:14: duplicate object key "b" (first at 1:7)
        a {| b = 1|            ~ t.hcl:3:1: expected '}' to close block "a" opened at 1:1
        a {| b {|  c = 1|      ~ t.hcl:4:1: expected '}' to close block "a" opened at 1:1
        a = "abc|b = 1         ~ t.hcl:1:5: unterminated string, expected '"' before the end of the line
        a = "${x"              ~ t.hcl:1:6: unterminated template sequence, expected '}'
        a = "${f("x)}"         ~ t.hcl:1:6: unterminated template sequence, expected '}'
        a = "${f("x)}          ~ t.hcl:1:6: unterminated template sequence, expected '}'
        a = <<EOT|abc|         ~ t.hcl:1:5: unterminated heredoc, expected EOT on a line of its own
        a = <<EOT abc|EOT      ~ t.hcl:1:5: expected a newline after the heredoc marker <<EOT
        a = <<-EOT|${x|EOT     ~ t.hcl:1:5: unterminated template sequence, expected '}'
        /* abc                 ~ t.hcl:1:1: unterminated comment, expected '*/'
        a = "\\q"              ~ t.hcl:1:6: invalid escape sequence "\\q"; the valid ones are \\n \\t \\r \\" \\\\ \\uXXXX \\UXXXXXXXX
        a = "\\u12"            ~ t.hcl:1:6: invalid unicode escape, expected 4 hex digits after \\u
        a = "\\uD800"          ~ t.hcl:1:6: invalid unicode escape, U+D800 is not a character
        a = "\\U00110000"      ~ t.hcl:1:6: invalid unicode escape, U+110000 is not a character
        a = 1;                 ~ t.hcl:1:6: unexpected ';'; HCL separates attributes with newlines
        a = 1 @                ~ t.hcl:1:7: unexpected character "@"
        """)
    void syntaxError(String source, String expected) {
        assertEquals(expected, error(source.replace('|', '\n')));
    }

    @Test
    void everyIndependentErrorIsReportedAndParsingResumes() {
        List<String> errors = errors("""
                a = 1 +
                b = [1 2]
                c = "ok"
                d {
                  e = f(1)
                  g = 2
                }
                h = 3 4
                i = 5
                """);
        assertEquals(List.of(
                "t.hcl:1:7: operator '+' is not supported; Drover reads literal values only",
                "t.hcl:2:8: expected ',' or ']' after a list element, got number 2",
                "t.hcl:5:7: function calls are not supported: f(...)",
                "t.hcl:8:7: expected a newline after the value of \"h\", got number 4"), errors);
    }

    @Test
    void allLexicalErrorsAreReportedBeforeParsing() {
        // Parsing a broken token stream would add noise, so syntax errors wait for clean tokens.
        assertEquals(List.of(
                "t.hcl:1:6: unexpected ';'; HCL separates attributes with newlines",
                "t.hcl:3:5: unterminated string, expected '\"' before the end of the line"),
                errors("a = 1;\nb = [1 2]\nc = \"x\n"));
    }

    @Test
    void errorsAreSortedAndTheMessageHasOneLineEach() {
        HclException e = assertThrows(HclException.class, () -> HclParser.parse("f.hcl", "a = 1\nb = +\na = 2\n"));
        assertEquals("f.hcl:2:5: operator '+' is not supported; Drover reads literal values only\n"
                + "f.hcl:3:1: attribute \"a\" was already set at 1:1", e.getMessage());
    }

    @Test
    void singleExpressionErrors() {
        HclException e = assertThrows(HclException.class, () -> HclParser.parseExpression("flag", "1 2"));
        assertEquals("flag:1:3: expected the end of the expression, got number 2", e.getMessage());
    }
}
