package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HclValuesTest {

    private static HclExpr expr(String src) {
        return HclParser.parseExpression("t.hcl", src);
    }

    @Test
    void agentConfigStyleFileBecomesNestedMaps() {
        HclBody body = HclParser.parse("agent.hcl", """
                data_dir  = "/x"
                bind_addr = "0.0.0.0"
                ports {
                  http = 4646
                }
                plugin "raw_exec" {
                  config {
                    enabled = true
                  }
                }
                plugin "docker" {
                  config {
                    volumes { enabled = false }
                  }
                }
                """);
        Map<String, Object> plain = HclValues.toPlain(body);
        assertEquals(List.of("data_dir", "bind_addr", "ports", "plugin"), new ArrayList<>(plain.keySet()), "file order");
        assertEquals("/x", plain.get("data_dir"));
        assertEquals(List.of(Map.of("http", 4646L)), plain.get("ports"));
        assertEquals(List.of(
                Map.of("label", "raw_exec", "config", List.of(Map.of("enabled", true))),
                Map.of("label", "docker", "config", List.of(Map.of("volumes", List.of(Map.of("enabled", false)))))),
                plain.get("plugin"));
    }

    @Test
    void severalLabelsBecomeAList() {
        Map<String, Object> plain = HclValues.toPlain(HclParser.parse("t.hcl", "a \"x\" y { b = 1 }\n"));
        assertEquals(List.of(Map.of("label", List.of("x", "y"), "b", 1L)), plain.get("a"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void resultsAreMutableOrderedCopies() {
        var map = (Map<String, Object>) HclValues.toPlain(expr("{ z = 1, a = [1], m = 2 }"));
        assertEquals(LinkedHashMap.class, map.getClass());
        assertEquals(List.of("z", "a", "m"), new ArrayList<>(map.keySet()));
        map.put("new", 1L);
        ((List<Object>) map.get("a")).add(2L);
    }

    @Test
    void nullsInsideCollectionsAreKept() {
        var expected = new ArrayList<>();
        expected.add(null);
        expected.add(1L);
        assertEquals(expected, HclValues.toPlain(expr("[null, 1]")));
    }

    @Test
    void referencesAreRejectedWithTheirPosition() {
        HclException e = assertThrows(HclException.class, () -> HclValues.toPlain(expr("[1, { a = var.region }]")));
        assertEquals("t.hcl:1:11: variables and references are not supported: var.region", e.getMessage());
    }

    @Test
    void bodyConversionReportsEveryProblem() {
        HclBody body = HclParser.parse("t.hcl", "a = 1\na {}\nb = x.y\nl \"lab\" {\n  label = 1\n}\n");
        HclException e = assertThrows(HclException.class, () -> HclValues.toPlain(body));
        assertEquals(List.of(
                "t.hcl:2:1: \"a\" is used both as an attribute and as a block",
                "t.hcl:3:5: variables and references are not supported: x.y",
                "t.hcl:5:3: \"label\" is used both as an attribute and as the block label key"),
                e.diagnostics().stream().map(Diagnostic::toString).toList());
    }

    @Test
    void describeForMessages() {
        assertEquals("string \"two\"", HclValues.describe(expr("\"two\"")));
        assertEquals("string \"a\\nb\\\"c\"", HclValues.describe(expr("\"a\\nb\\\"c\"")));
        assertEquals("number 1.5", HclValues.describe(expr("1.5")));
        assertEquals("number 7", HclValues.describe(expr("7")));
        assertEquals("bool true", HclValues.describe(expr("true")));
        assertEquals("null", HclValues.describe(expr("null")));
        assertEquals("a list", HclValues.describe(expr("[]")));
        assertEquals("an object", HclValues.describe(expr("{}")));
        assertEquals("reference var.x", HclValues.describe(expr("var.x")));
    }

    @Test
    void longStringsAreCutInMessages() {
        String shown = Quoting.quote("x".repeat(100));
        assertEquals("\"" + "x".repeat(60) + "...\"", shown);
    }

    @Test
    void numbersPrintWithoutExponentOrTrailingZero() {
        assertEquals("3", HclValues.formatNumber(3L));
        assertEquals("0.001", HclValues.formatNumber(0.001));
        assertEquals("1.5", HclValues.formatNumber(1.5));
        assertEquals("12345678901234567000", HclValues.formatNumber(1.2345678901234567E19));
    }
}
