package dev.drover.sdk.env;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Replaces {@code ${name}} references (Nomad's client-side interpolation). Names match
 * {@code [a-zA-Z0-9_.-]+}; {@code ${env["X"]}} is accepted too. Unknown references are left exactly
 * as written, never an error.
 */
public final class Interpolator {
    private static final Pattern REF = Pattern.compile("\\$\\{(?:([a-zA-Z0-9_.\\-]+)|env\\[\"([^\"]+)\"])}");

    private final Function<String, String> lookup;

    public Interpolator(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    public String apply(String s) {
        if (s == null || s.indexOf("${") < 0) return s;
        Matcher m = REF.matcher(s);
        var out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2);
            String value = lookup.apply(name);
            m.appendReplacement(out, Matcher.quoteReplacement(value != null ? value : m.group()));
        }
        m.appendTail(out);
        return out.toString();
    }

    public List<String> apply(List<String> list) {
        return list.stream().map(this::apply).toList();
    }

    /** Interpolates every string inside nested lists and maps (a driver's config block). */
    public Object applyDeep(Object value) {
        if (value instanceof String s) return apply(s);
        if (value instanceof List<?> list) {
            var out = new ArrayList<Object>(list.size());
            for (Object item : list) out.add(applyDeep(item));
            return java.util.Collections.unmodifiableList(out);
        }
        if (value instanceof Map<?, ?> map) {
            var out = new LinkedHashMap<String, Object>();
            map.forEach((k, v) -> out.put(String.valueOf(k), applyDeep(v)));
            return java.util.Collections.unmodifiableMap(out);
        }
        return value;
    }
}
