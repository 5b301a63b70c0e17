package dev.drover.sdk.rpc;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Typed reading of one JSON object for a {@link Codec}. A missing or null field reads as null, 0, false or
 * an empty list/map (what a record's constructor then checks); a field of the wrong type fails naming it.
 */
public final class JsonObject {
    private final Map<?, ?> fields;

    private JsonObject(Map<?, ?> fields) {
        this.fields = fields;
    }

    /** Parses UTF-8 JSON text that must be an object. */
    public static JsonObject parse(byte[] json) {
        return of(Json.parse(json));
    }

    static JsonObject of(Object json) {
        if (!(json instanceof Map<?, ?> map)) throw new IllegalArgumentException("expected a JSON object, got " + kind(json));
        return new JsonObject(map);
    }

    private IllegalArgumentException wrong(String name, String expected, Object value) {
        return new IllegalArgumentException("field \"" + name + "\": expected " + expected + ", got " + kind(value));
    }

    private static String kind(Object value) {
        if (value == null) return "null";
        if (value instanceof Map) return "an object";
        if (value instanceof List) return "an array";
        if (value instanceof String) return "a string";
        if (value instanceof Number) return "a number";
        return value.toString();
    }

    public String string(String name) {
        Object v = fields.get(name);
        if (v == null || v instanceof String) return (String) v;
        throw wrong(name, "a string", v);
    }

    public long longValue(String name) {
        Object v = fields.get(name);
        if (v == null) return 0;
        if (v instanceof Long l) return l;
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) return n.longValue();
        throw wrong(name, "an integer", v);
    }

    public int intValue(String name) {
        long v = longValue(name);
        if (v != (int) v) throw new IllegalArgumentException("field \"" + name + "\": " + v + " is out of range");
        return (int) v;
    }

    public double doubleValue(String name) {
        Object v = fields.get(name);
        if (v == null) return 0;
        if (v instanceof Number n) return n.doubleValue();
        if (v instanceof String s && (s.equals("NaN") || s.equals("Infinity") || s.equals("-Infinity"))) return Double.parseDouble(s);
        throw wrong(name, "a number", v);
    }

    public boolean bool(String name) {
        return bool(name, false);
    }

    public boolean bool(String name, boolean missing) {
        Object v = fields.get(name);
        if (v == null) return missing;
        if (v instanceof Boolean b) return b;
        throw wrong(name, "true or false", v);
    }

    /** Base64, as Jackson writes a byte array. */
    public byte[] bytes(String name) {
        String s = string(name);
        return s == null ? null : Base64.getDecoder().decode(s);
    }

    public <E> E enumValue(String name, Function<String, E> valueOf) {
        String s = string(name);
        return s == null ? null : valueOf.apply(s);
    }

    /** The object in field {@code name}, or null when there is none. */
    public JsonObject child(String name) {
        Object v = fields.get(name);
        return v == null ? null : of(v);
    }

    public <T> T object(String name, Codec<T> codec) {
        return codec.decode(fields.get(name));
    }

    public <T> List<T> list(String name, Codec<T> element) {
        Object v = fields.get(name);
        if (v == null) return List.of();
        if (!(v instanceof List<?> items)) throw wrong(name, "an array", v);
        var out = new ArrayList<T>(items.size());
        for (Object item : items) out.add(element.decode(item));
        return out;
    }

    public List<String> strings(String name) {
        Object v = fields.get(name);
        if (v == null) return List.of();
        if (!(v instanceof List<?> items)) throw wrong(name, "an array of strings", v);
        var out = new ArrayList<String>(items.size());
        for (Object item : items) {
            if (!(item instanceof String s)) throw wrong(name, "an array of strings", v);
            out.add(s);
        }
        return out;
    }

    public Map<String, String> stringMap(String name) {
        Object v = fields.get(name);
        if (v == null) return Map.of();
        if (!(v instanceof Map<?, ?> map)) throw wrong(name, "an object of strings", v);
        var out = new LinkedHashMap<String, String>();
        for (var e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) throw wrong(name + "." + e.getKey(), "a string", e.getValue());
            out.put((String) e.getKey(), s);
        }
        return out;
    }
}
