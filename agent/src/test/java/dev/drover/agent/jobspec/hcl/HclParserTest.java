package dev.drover.agent.jobspec.hcl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.jobspec.hcl.HclExpr.BoolLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NullLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NumberLit;
import dev.drover.agent.jobspec.hcl.HclExpr.ObjectExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.StringLit;
import dev.drover.agent.jobspec.hcl.HclExpr.Traversal;
import dev.drover.agent.jobspec.hcl.HclExpr.TupleExpr;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HclParserTest {

    private static HclBody parse(String src) {
        return HclParser.parse("t.hcl", src);
    }

    private static HclExpr value(String src) {
        return HclParser.parseExpression("t.hcl", src);
    }

    private static Object plain(String src) {
        return HclValues.toPlain(value(src));
    }

    private static Pos pos(int line, int col) {
        return new Pos("t.hcl", line, col);
    }

    @Test
    void attributesAndBlocksKeepSourceOrderAndPositions() {
        HclBody body = parse("""
                a = 1
                block "one" two {
                  inner = true
                }
                b = "x"
                """);
        assertEquals(List.of("a", "block", "b"), body.items().stream().map(HclItem::name).toList());
        assertEquals(List.of("a", "b"), body.attributes().stream().map(HclAttribute::name).toList());
        HclBlock block = body.blocks("block").getFirst();
        assertEquals(List.of("one", "two"), block.labels());
        assertEquals(pos(2, 1), block.pos());
        HclAttribute inner = block.body().attribute("inner").orElseThrow();
        assertEquals(pos(3, 3), inner.pos());
        assertEquals(new BoolLit(true, pos(3, 11)), inner.value());
        assertEquals(new StringLit("x", pos(5, 5)), body.attribute("b").orElseThrow().value());
    }

    @Test
    void repeatedBlocksAreAllKept() {
        HclBody body = parse("port \"a\" {}\nport \"b\" {}\nother {}\nport \"c\" {}\n");
        assertEquals(List.of("a", "b", "c"), body.blocks("port").stream().map(b -> b.labels().getFirst()).toList());
        assertEquals(List.of(), body.blocks("other").getFirst().labels());
    }

    @Test
    void singleLineAndEmptyBlocks() {
        HclBody body = parse("a { b = 1 }\nc {}\nd \"x\" { e = [1, 2] }\n");
        assertEquals(1L, HclValues.toPlain(body.blocks("a").getFirst().body().attribute("b").orElseThrow().value()));
        assertTrue(body.blocks("c").getFirst().body().items().isEmpty());
        assertEquals(List.of(1L, 2L), HclValues.toPlain(body.blocks("d").getFirst().body().attribute("e").orElseThrow().value()));
    }

    @Test
    void deeplyNestedBlocks() {
        HclBody body = parse("a {\n b {\n  c {\n   d = 1\n  }\n }\n}");
        HclBlock c = body.blocks("a").getFirst().body().blocks("b").getFirst().body().blocks("c").getFirst();
        assertEquals(pos(4, 4), c.body().attribute("d").orElseThrow().pos());
    }

    @Test
    void closingBraceMayFollowTheLastValue() {
        HclBody body = parse("a {\n  b = 1 }\nc = 2");
        assertEquals(List.of("a", "c"), body.items().stream().map(HclItem::name).toList());
    }

    @Test
    void numbers() {
        assertEquals(new NumberLit(42L, pos(1, 1)), value("42"));
        assertEquals(-7L, plain("-7"));
        assertEquals(-7L, plain("- 7"));
        assertEquals(3.25, plain("3.25"));
        assertEquals(1000L, plain("1e3"), "whole values are Longs whatever their spelling");
        assertEquals(2L, plain("2.0"));
        assertEquals(0.025, plain("2.5e-2"));
        assertEquals(1.2345678901234567E19, plain("12345678901234567890"), "beyond Long becomes Double");
        assertEquals(Long.MIN_VALUE, plain("-9223372036854775808"));
    }

    @Test
    void literals() {
        assertEquals(new BoolLit(false, pos(1, 1)), value("false"));
        assertEquals(new NullLit(pos(1, 3)), value("  null"));
        assertEquals("x", plain("(\"x\")"), "parentheses only group");
    }

    @Test
    void listsTrailingCommasAndLineBreaks() {
        assertEquals(List.of(), plain("[]"));
        assertEquals(List.of(1L, "a", true), plain("[1, \"a\", true,]"));
        assertEquals(List.of(List.of(1L), List.of()), plain("[\n  [1],\n\n  [],\n]"));
        assertEquals(List.of("a", "b"), plain("[\n  \"a\" # first\n  , \"b\" // second\n]"));
        TupleExpr t = assertInstanceOf(TupleExpr.class, value("[1,\n 2]"));
        assertEquals(List.of(pos(1, 2), pos(2, 2)), t.elements().stream().map(HclExpr::pos).toList());
    }

    @Test
    void objectsWithEveryKeyAndSeparatorForm() {
        var expected = new LinkedHashMap<String, Object>();
        expected.put("a", 1L);
        expected.put("b c", "two");
        expected.put("d", List.of(true));
        expected.put("e", Map.of("f", 2.5));
        expected.put("7", null);
        assertEquals(expected, plain("{ a = 1, \"b c\": \"two\"\n d = [true],\n e = { f = 2.5 }\n 7 = null, }"));
        assertEquals(Map.of(), plain("{}"));
        assertEquals(Map.of(), plain("{\n\n}"));
    }

    @Test
    void objectItemsKeepKeyPositions() {
        ObjectExpr o = assertInstanceOf(ObjectExpr.class, value("{\n  x = 1\n  \"y\" = 2\n}"));
        assertEquals(List.of(pos(2, 3), pos(3, 3)), o.items().stream().map(ObjectExpr.Item::pos).toList());
        assertEquals(pos(1, 1), o.pos());
    }

    @Test
    void referencesAreKeptAsText() {
        Traversal t = assertInstanceOf(Traversal.class, value("attr.kernel.name"));
        assertEquals("attr.kernel.name", t.text());
        assertEquals("attr", t.root());
        assertEquals("var.list[0].x", assertInstanceOf(Traversal.class, value("var.list[0].x")).text());
        assertEquals("local.m[\"k\"]", assertInstanceOf(Traversal.class, value("local.m[\"k\"]")).text());
        assertEquals("a.*.b", assertInstanceOf(Traversal.class, value("a.*.b")).text());
        assertEquals("a[*].b", assertInstanceOf(Traversal.class, value("a[*].b")).text());
        assertEquals("string", assertInstanceOf(Traversal.class, value("string")).text());
        assertEquals("true.x", assertInstanceOf(Traversal.class, value("true.x")).text());
        assertEquals(pos(1, 2), value("[var.x]") instanceof TupleExpr tuple ? tuple.elements().getFirst().pos() : null);
    }

    @Test
    void commentsInOddPlaces() {
        HclBody body = parse("""
                # leading
                a /* before = */ = /* after = */ 1 # trailing
                b = [ // in a list
                  1, /* between */ 2
                ] # after the list
                block /* before label */ "l" /* before brace */ {
                  // only a comment
                }
                /* a block comment
                   over lines */ c = 3
                """);
        assertEquals(List.of("a", "b", "block", "c"), body.items().stream().map(HclItem::name).toList());
        assertEquals(List.of(1L, 2L), HclValues.toPlain(body.attribute("b").orElseThrow().value()));
        assertEquals(pos(10, 18), body.attribute("c").orElseThrow().pos());
    }

    @Test
    void crlfLineEndingsAndByteOrderMark() {
        HclBody body = parse("\uFEFFa = 1\r\nb {\r\n  c = \"x\"\r\n}\r\n");
        assertEquals(pos(1, 1), body.attribute("a").orElseThrow().pos());
        assertEquals(pos(3, 3), body.blocks("b").getFirst().body().attribute("c").orElseThrow().pos());
    }

    @Test
    void emptyFilesAndWhitespaceOnly() {
        assertTrue(parse("").items().isEmpty());
        assertTrue(parse("\n\n  # nothing\n").items().isEmpty());
    }

    @Test
    void lastLineNeedsNoNewline() {
        assertEquals(1L, HclValues.toPlain(parse("a = 1").attribute("a").orElseThrow().value()));
        assertEquals(1, parse("a {}").blocks().size());
    }

    @Test
    void bareLabelsAndTemplatesInLabels() {
        HclBlock b = parse("plugin raw_exec \"${x}\" {}").blocks().getFirst();
        assertEquals(List.of("raw_exec", "${x}"), b.labels());
    }
}
