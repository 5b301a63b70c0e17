package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Quoted strings and heredocs: escapes, template sequences kept verbatim, and indentation rules. */
class HclStringTest {

    private static Object plain(String src) {
        return HclValues.toPlain(HclParser.parseExpression("t.hcl", src));
    }

    /** The value of {@code x} in a file, for heredocs (which need a line of their own). */
    private static Object attr(String file) {
        return HclValues.toPlain(HclParser.parse("t.hcl", file).attribute("x").orElseThrow().value());
    }

    @Test
    void escapes() {
        assertEquals("a\nb\tc\"d\\e\rf", plain("\"a\\nb\\tc\\\"d\\\\e\\rf\""));
        assertEquals("é☃😀", plain("\"\\u00e9\\u2603\\U0001F600\""));
        assertEquals("", plain("\"\""));
    }

    @Test
    void unicodeIsKeptAsIs() {
        assertEquals("grüße 日本 😀", plain("\"grüße 日本 😀\""));
    }

    @Test
    void templateSequencesAreKeptVerbatim() {
        assertEquals("${NOMAD_TASK_DIR}/x", plain("\"${NOMAD_TASK_DIR}/x\""));
        assertEquals("${node.unique.id}", plain("\"${node.unique.id}\""));
        assertEquals("%{ if true }yes%{ endif }", plain("\"%{ if true }yes%{ endif }\""));
        assertEquals("${~ x ~}", plain("\"${~ x ~}\""));
        // Escapes inside a sequence belong to the expression, so they stay as written too.
        assertEquals("a ${lookup(m, \"}\\n\")} b", plain("\"a ${lookup(m, \"}\\n\")} b\""));
        assertEquals("${ {a = 1}.a }", plain("\"${ {a = 1}.a }\""));
        assertEquals("${\"${inner}\"}", plain("\"${\"${inner}\"}\""));
    }

    @Test
    void doubledSigilsAreUnescaped() {
        assertEquals("${literal}", plain("\"$${literal}\""));
        assertEquals("%{literal}", plain("\"%%{literal}\""));
        assertEquals("$$ and %% and $ and %", plain("\"$$ and %% and $ and %\""), "only before '{'");
        assertEquals("$${x}", plain("\"$$${x}\""), "a lone '$' then the escape");
        assertEquals("cost: $5", plain("\"cost: $5\""));
    }

    @Test
    void heredocKeepsEverythingIncludingTheLastNewline() {
        assertEquals("line one\n  indented \\n not an escape\n\"quotes\" ${X} ${Y}\n",
                attr("x = <<EOT\nline one\n  indented \\n not an escape\n\"quotes\" ${X} $${Y}\nEOT\n"));
    }

    @Test
    void heredocMarkerMayBeAnyNameAndIndented() {
        assertEquals("a\nEOT is not the marker here\n", attr("x = <<END\na\nEOT is not the marker here\n   END\n"));
    }

    @Test
    void emptyHeredoc() {
        assertEquals("", attr("x = <<EOT\nEOT\n"));
    }

    @Test
    void flushHeredocStripsTheCommonIndent() {
        String file = """
                job {
                  x = <<-EOT
                    first
                      second

                    third
                    EOT
                }
                """;
        var body = HclParser.parse("t.hcl", file).blocks().getFirst().body();
        assertEquals("first\n  second\n\nthird\n", HclValues.toPlain(body.attribute("x").orElseThrow().value()));
    }

    @Test
    void flushHeredocIgnoresWhitespaceOnlyLinesWhenMeasuring() {
        // HCL leaves whitespace-only lines exactly as they are.
        assertEquals("a\n     \n  b\n", attr("x = <<-EOT\n    a\n     \n      b\n  EOT\n"));
    }

    @Test
    void flushHeredocCountsTabsAsOneCharacter() {
        assertEquals("a\n\tb\n", attr("x = <<-EOT\n\ta\n\t\tb\nEOT\n"));
    }

    @Test
    void flushHeredocWithALineAtColumnOneStripsNothing() {
        assertEquals("  a\nb\n", attr("x = <<-EOT\n  a\nb\nEOT\n"));
    }

    @Test
    void plainHeredocDoesNotStrip() {
        assertEquals("    a\n    b\n", attr("x = <<EOT\n    a\n    b\n    EOT\n"));
    }

    @Test
    void heredocWithCrlfLineEndings() {
        assertEquals("a\nb\n", attr("x = <<EOT\r\na\r\nb\r\nEOT\r\ny = 1\r\n"));
    }

    @Test
    void heredocsInsideLists() {
        String file = "x = [\"-c\", <<-EOT\n    echo hi\n    EOT\n  , \"after\"]\n";
        assertEquals(List.of("-c", "echo hi\n", "after"), attr(file));
    }

    @Test
    void heredocFollowedByMoreAttributes() {
        var body = HclParser.parse("t.hcl", "x = <<EOT\nhello\nEOT\ny = 2\n");
        assertEquals(2L, HclValues.toPlain(body.attribute("y").orElseThrow().value()));
        assertEquals(new Pos("t.hcl", 4, 1), body.attribute("y").orElseThrow().pos());
    }

    @Test
    void heredocAtTheEndOfTheFileWithoutNewline() {
        assertEquals("a\n", attr("x = <<EOT\na\nEOT"));
    }

    @Test
    void lessThanLessThanWithoutAMarkerIsAnOperator() {
        HclException e = org.junit.jupiter.api.Assertions.assertThrows(HclException.class, () -> attr("x = 1 << 2\n"));
        assertEquals("t.hcl:1:7: operator '<' is not supported; Drover reads literal values only", e.getMessage());
    }
}
