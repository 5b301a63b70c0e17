package dev.drover.agent.jobspec;

import dev.drover.agent.job.InvalidJobException;
import dev.drover.agent.job.InvalidJobException.Violation;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import tools.jackson.databind.JsonNode;

/**
 * One JSON object of a Nomad job, read with its path ({@code Job.TaskGroups[0]}) so every
 * problem says where it is. The JSON twin of {@link BlockReader}: getters return null when a key
 * is missing or null (Nomad writes many nulls) or invalid (already reported); unknown keys are
 * ignored since Nomad's JSON carries many fields Drover does not use.
 */
final class JsonFields {

    private final JsonNode node;
    private final String path;
    private final List<String> errors;
    private final int errorsAtStart;

    JsonFields(JsonNode node, String path, List<String> errors) {
        this.node = node;
        this.path = path;
        this.errors = errors;
        this.errorsAtStart = errors.size();
    }

    String path() {
        return path;
    }

    String path(String key) {
        return path + "." + key;
    }

    void error(String at, String message) {
        errors.add(at + ": " + message);
    }

    /** The value, or null if missing or JSON null. */
    JsonNode get(String key) {
        JsonNode v = node.get(key);
        return v == null || v.isNull() ? null : v;
    }

    String string(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isString()) {
            return wrong(key, "a string", v);
        }
        return v.stringValue();
    }

    /** Like {@link #string} but "" counts as unset too: Nomad writes "" for fields left at their default. */
    String optionalString(String key) {
        String s = string(key);
        return s == null || s.isEmpty() ? null : s;
    }

    Integer integer(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        Long n = whole(v);
        if (n == null) {
            return wrong(key, "a whole number", v);
        }
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            error(path(key), "out of range, got " + n);
            return null;
        }
        return n.intValue();
    }

    Boolean bool(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        return v.isBoolean() ? v.booleanValue() : wrong(key, "true or false", v);
    }

    /** Nomad's JSON durations are whole nanoseconds. */
    Duration nanos(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        Long n = whole(v);
        return n != null ? Duration.ofNanos(n) : wrong(key, "a duration in nanoseconds", v);
    }

    List<String> stringList(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        if (!v.isArray()) {
            return wrong(key, "an array of strings", v);
        }
        var out = new ArrayList<String>();
        for (int i = 0; i < v.size(); i++) {
            if (!v.get(i).isString()) {
                error(path(key) + "[" + i + "]", "expected a string, got " + show(v.get(i)));
            } else {
                out.add(v.get(i).stringValue());
            }
        }
        return out;
    }

    /** An object of strings; numbers and bools are turned into strings, as in HCL. Empty if missing. */
    Map<String, String> stringMap(String key) {
        var out = new LinkedHashMap<String, String>();
        JsonNode v = get(key);
        if (v == null) {
            return out;
        }
        if (!v.isObject()) {
            wrong(key, "an object of strings", v);
            return out;
        }
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            JsonNode value = e.getValue();
            if (value.isString() || value.isNumber() || value.isBoolean()) {
                out.put(e.getKey(), value.isString() ? value.stringValue() : value.toString());
            } else {
                error(path(key) + "." + e.getKey(), "expected a string, got " + show(value));
            }
        }
        return out;
    }

    /** Free-form values (a task's Config) as plain Java values; nulls in objects are dropped. */
    Map<String, Object> plainMap(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return Map.of();
        }
        if (!v.isObject()) {
            wrong(key, "an object", v);
            return Map.of();
        }
        @SuppressWarnings("unchecked")
        var map = (Map<String, Object>) plain(v, path(key));
        return map;
    }

    private Object plain(JsonNode v, String at) {
        if (v.isObject()) {
            var map = new LinkedHashMap<String, Object>();
            for (Map.Entry<String, JsonNode> e : v.properties()) {
                if (!e.getValue().isNull()) {
                    map.put(e.getKey(), plain(e.getValue(), at + "." + e.getKey()));
                }
            }
            return map;
        }
        if (v.isArray()) {
            var list = new ArrayList<>();
            for (int i = 0; i < v.size(); i++) {
                if (v.get(i).isNull()) {
                    error(at + "[" + i + "]", "null is not allowed in a list");
                } else {
                    list.add(plain(v.get(i), at + "[" + i + "]"));
                }
            }
            return list;
        }
        if (v.isNumber()) {
            Long whole = whole(v);
            return whole != null ? whole : (Object) v.doubleValue();
        }
        return v.isBoolean() ? v.booleanValue() : v.asString();
    }

    /** The nested object, or null when missing, null or not an object (reported). */
    JsonFields object(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return null;
        }
        return v.isObject() ? new JsonFields(v, path(key), errors) : wrong(key, "an object", v);
    }

    /**
     * The elements of an array of objects; empty when missing. A non-object element is reported
     * and left as null, and a non-array value is reported and gives null, so callers know that
     * something is missing rather than absent.
     */
    List<JsonFields> objects(String key) {
        JsonNode v = get(key);
        if (v == null) {
            return List.of();
        }
        if (!v.isArray()) {
            return wrong(key, "an array", v);
        }
        var out = new ArrayList<JsonFields>();
        for (int i = 0; i < v.size(); i++) {
            String at = path(key) + "[" + i + "]";
            if (v.get(i).isObject()) {
                out.add(new JsonFields(v.get(i), at, errors));
            } else {
                error(at, "expected an object, got " + show(v.get(i)));
                out.add(null);
            }
        }
        return out;
    }

    /** Decoded elements with their paths; {@code complete} is false when some failed. */
    record Children<T>(String field, List<T> values, List<String> paths, boolean complete) {}

    /**
     * Runs a record constructor and reports its violations at the JSON key each one names; see
     * {@link BlockReader#build} for the rules, which are the same.
     *
     * @param names record component to JSON key where capitalizing does not give it (id to ID)
     */
    <T> T build(Supplier<T> constructor, Map<String, String> names, Children<?>... children) {
        try {
            T value = constructor.get();
            return errors.size() == errorsAtStart ? value : null;
        } catch (InvalidJobException e) {
            for (Violation v : e.violations()) {
                Children<?> list = Arrays.stream(children).filter(c -> c.field().equals(v.field())).findFirst().orElse(null);
                String at;
                if (list != null && v.index() >= 0 && v.index() < list.paths().size()) {
                    at = list.paths().get(v.index());
                } else if (list != null && !list.complete()) {
                    continue;
                } else if (v.field().isEmpty()) {
                    at = path;
                } else {
                    at = path(names.getOrDefault(v.field(), Character.toUpperCase(v.field().charAt(0)) + v.field().substring(1)));
                }
                error(at, v.message());
            }
            return null;
        }
    }

    private static Long whole(JsonNode v) {
        if (!v.isNumber()) {
            return null;
        }
        try {
            return new BigDecimal(v.numberValue().toString()).longValueExact();
        } catch (ArithmeticException | NumberFormatException notWhole) {
            return null;
        }
    }

    private <T> T wrong(String key, String expected, JsonNode got) {
        error(path(key), "expected " + expected + ", got " + show(got));
        return null;
    }

    /** A value as it appears in JSON, shortened: {@code "abc"}, {@code 12}, {@code an array}. */
    static String show(JsonNode v) {
        if (v.isArray()) {
            return "an array";
        }
        if (v.isObject()) {
            return "an object";
        }
        String text = v.toString();
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
