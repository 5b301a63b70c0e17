package dev.drover.agent.job;

import dev.drover.agent.job.InvalidJobException.Violation;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/** Collects the violations of one record's constructor, then throws them together. */
final class Checks {

    private final List<Violation> violations = new ArrayList<>();

    Checks check(boolean ok, String field, String message) {
        return check(ok, field, -1, message);
    }

    Checks check(boolean ok, String field, int index, String message) {
        if (!ok) {
            violations.add(new Violation(field, index, message));
        }
        return this;
    }

    /** Reports each element whose key repeats an earlier one. */
    <T> Checks unique(List<T> items, Function<T, String> key, String field, Function<String, String> message) {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < items.size(); i++) {
            String k = key.apply(items.get(i));
            check(seen.add(k), field, i, message.apply(k));
        }
        return this;
    }

    boolean isClean() {
        return violations.isEmpty();
    }

    void throwIfAny() {
        if (!violations.isEmpty()) {
            throw new InvalidJobException(violations);
        }
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /** An unmodifiable copy that keeps the caller's order (users read meta and env in file order). */
    static Map<String, String> orderedCopy(Map<String, String> map, String what) {
        Objects.requireNonNull(map, what);
        var copy = new LinkedHashMap<String, String>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k, what + " key"), Objects.requireNonNull(v, what + " value")));
        return Collections.unmodifiableSequencedMap(copy);
    }

    /** {@code "name"}, with quotes and backslashes escaped so odd names stay readable in messages. */
    static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
