package dev.drover.sdk.driver;

import dev.drover.sdk.DroverException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads a driver's {@code config {}} block (plain values) with errors that name the field and
 * what is allowed, e.g. {@code config.args: expected a list of strings, got 42}.
 */
public final class ConfigReader {
    private final String where;
    private final Map<String, Object> values;

    public ConfigReader(String where, Map<String, Object> values) {
        this.where = where;
        this.values = values == null ? Map.of() : values;
    }

    /** Fails on any key outside {@code allowed}. */
    public ConfigReader allowOnly(Set<String> allowed) {
        for (String key : values.keySet()) {
            if (!allowed.contains(key)) {
                throw DroverException.invalid(where + ": unknown field \"" + key + "\"; allowed: " + String.join(", ", new TreeSet<>(allowed)));
            }
        }
        return this;
    }

    public String requiredString(String key) {
        String v = string(key, null);
        if (v == null || v.isBlank()) throw DroverException.invalid(where + "." + key + " is required");
        return v;
    }

    public String string(String key, String fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof String s) return s;
        if (v instanceof Number || v instanceof Boolean) return v.toString();
        throw DroverException.invalid(where + "." + key + ": expected a string, got " + describe(v));
    }

    public boolean bool(String key, boolean fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof Boolean b) return b;
        if (v instanceof String s && (s.equals("true") || s.equals("false"))) return Boolean.parseBoolean(s);
        throw DroverException.invalid(where + "." + key + ": expected true or false, got " + describe(v));
    }

    public long integer(String key, long fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        if (v instanceof Long || v instanceof Integer) return ((Number) v).longValue();
        if (v instanceof String s && s.matches("-?\\d+")) return Long.parseLong(s);
        throw DroverException.invalid(where + "." + key + ": expected a whole number, got " + describe(v));
    }

    public java.time.Duration duration(String key, java.time.Duration fallback) {
        Object v = values.get(key);
        if (v == null) return fallback;
        try {
            return dev.drover.sdk.Durations.parse(String.valueOf(v));
        } catch (IllegalArgumentException e) {
            throw DroverException.invalid(where + "." + key + ": " + e.getMessage());
        }
    }

    public List<String> stringList(String key) {
        Object v = values.get(key);
        if (v == null) return List.of();
        if (!(v instanceof List<?> list)) {
            throw DroverException.invalid(where + "." + key + ": expected a list of strings, got " + describe(v));
        }
        var out = new ArrayList<String>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Object item = list.get(i);
            if (item instanceof String s) out.add(s);
            else if (item instanceof Number || item instanceof Boolean) out.add(item.toString());
            else throw DroverException.invalid(where + "." + key + "[" + i + "]: expected a string, got " + describe(item));
        }
        return List.copyOf(out);
    }

    private static String describe(Object v) {
        if (v instanceof String s) return "string \"" + s + "\"";
        if (v instanceof List<?>) return "a list";
        if (v instanceof Map<?, ?>) return "a block or map";
        return v.getClass().getSimpleName().toLowerCase() + " " + v;
    }
}
