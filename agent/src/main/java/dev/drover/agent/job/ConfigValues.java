package dev.drover.agent.job;

import dev.drover.agent.job.InvalidJobException.Violation;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Deep, unmodifiable copies of a task's free-form {@code config}. Numbers are normalized (Long
 * when whole, else Double) so the same config reads equal whether it came from HCL or JSON.
 */
final class ConfigValues {

    private ConfigValues() {}

    static Map<String, Object> freeze(Map<String, Object> config) {
        @SuppressWarnings("unchecked")
        var frozen = (Map<String, Object>) freeze(config, "config");
        return frozen;
    }

    private static Object freeze(Object value, String path) {
        return switch (value) {
            case null -> throw invalid(path + " must not be null");
            case String s -> s;
            case Boolean b -> b;
            case Long l -> l;
            case Integer n -> n.longValue();
            case Short n -> n.longValue();
            case Byte n -> n.longValue();
            case Double d -> normalize(d);
            case Float f -> normalize(f.doubleValue());
            case Number n -> normalize(new BigDecimal(n.toString()).doubleValue());
            case List<?> list -> {
                var copy = new ArrayList<>(list.size());
                for (int i = 0; i < list.size(); i++) {
                    copy.add(freeze(list.get(i), path + "[" + i + "]"));
                }
                yield Collections.unmodifiableList(copy);
            }
            case Map<?, ?> map -> {
                var copy = new LinkedHashMap<String, Object>();
                map.forEach((k, v) -> {
                    if (!(k instanceof String key)) {
                        throw invalid(path + " has a non-string key " + k);
                    }
                    copy.put(key, freeze(v, path + "." + key));
                });
                yield Collections.unmodifiableSequencedMap(copy);
            }
            default -> throw invalid(path + " has an unsupported value of type " + value.getClass().getSimpleName());
        };
    }

    private static Object normalize(double d) {
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw invalid("config numbers must be finite, got " + d);
        }
        if (d == Math.rint(d) && Math.abs(d) < 0x1p63) {
            return (long) d;
        }
        return d;
    }

    private static InvalidJobException invalid(String message) {
        return new InvalidJobException(List.of(new Violation("config", -1, message)));
    }
}
