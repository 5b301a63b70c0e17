package dev.drover.sdk.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The plugin wire's JSON reader and writer against Jackson (the reference) and against bad input. */
class JsonTest {
    private static Object parse(String text) {
        return Json.parse(text.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsWhatJacksonWrites() {
        var value = Map.of("s", "a\"b\\c\n\r\t\b\f\u0000\u001f/ü€😀", "n", List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE),
                "d", List.of(1.5, -0.25, 1e-7, 1.0E22), "b", List.of(true, false), "o", Map.of(), "a", List.of());
        var jackson = Wire.JSON.writeValueAsBytes(value);
        assertEquals(value, Json.parse(jackson));
        assertEquals(value, Json.parse(Json.write(value)));
        assertEquals(Wire.JSON.readTree(jackson), Wire.JSON.readTree(Json.write(value)));
    }

    @Test
    void readsEscapesSurrogatePairsAndNumbers() {
        assertEquals("é😀\u2028", parse("\"\\u00e9\\ud83d\\ude00\\u2028\""));
        assertEquals(Arrays.asList(12L, -0.5, 1.0E10, 2.5E-3, 123456789012345678L, 1.2345678901234567E19, null),
                parse(" [ 12 , -0.5 ,1e10, 25E-4 ,123456789012345678, 12345678901234567890, null ] "));
        assertEquals(Map.of("a", Map.of("b", List.of(Map.of()))), parse("{\"a\":{\"b\":[{}]}}"));
    }

    @Test
    void writesNonFiniteNumbersAsStringsLikeJackson() {
        var value = List.of(Double.NaN, Double.POSITIVE_INFINITY);
        assertEquals(Wire.JSON.readTree(Wire.JSON.writeValueAsBytes(value)), Wire.JSON.readTree(Json.write(value)));
    }

    @Test
    void refusesBadInputNamingWhere() {
        for (String bad : List.of("", "{", "{\"a\"}", "{\"a\":1,}", "[1,]", "[1 2]", "01", "1.", "-", "1e", "tru", "nul",
                "\"abc", "\"a\nb\"", "\"\\x\"", "\"\\u12\"", "{a:1}", "'a'", "[1]x", "{\"a\":1}}")) {
            var e = assertThrows(IllegalArgumentException.class, () -> parse(bad), bad);
            assertTrue(e.getMessage().startsWith("bad JSON at byte "), e.getMessage());
        }
        var deep = "[".repeat(Json.MAX_DEPTH + 2) + "]".repeat(Json.MAX_DEPTH + 2);
        assertThrows(IllegalArgumentException.class, () -> parse(deep));
        assertEquals(1, ((List<?>) parse("[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH))).size());
    }

    @Test
    void typedFieldsNameTheFieldOnAMismatch() {
        var o = JsonObject.parse("{\"s\":1,\"n\":\"x\",\"l\":[1],\"big\":9999999999}".getBytes(StandardCharsets.UTF_8));
        assertEquals("field \"s\": expected a string, got a number", assertThrows(IllegalArgumentException.class, () -> o.string("s")).getMessage());
        assertEquals("field \"n\": expected an integer, got a string", assertThrows(IllegalArgumentException.class, () -> o.longValue("n")).getMessage());
        assertEquals("field \"l\": expected an array of strings, got an array", assertThrows(IllegalArgumentException.class, () -> o.strings("l")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> o.intValue("big"));
        assertEquals(0, o.intValue("missing"));
        assertEquals(List.of(), o.strings("missing"));
        assertEquals(null, o.string("missing"));
    }
}
