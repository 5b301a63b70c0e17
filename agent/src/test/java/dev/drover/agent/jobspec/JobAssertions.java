package dev.drover.agent.jobspec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.RecordComponent;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Compares job-model records component by component, so a failure names the exact field. Key
 * order is compared too when both maps have one (the records keep file order).
 */
final class JobAssertions {

    private JobAssertions() {}

    static void assertSameJob(Object expected, Object actual) {
        compare(expected, actual, expected == null ? "null" : expected.getClass().getSimpleName());
        assertEquals(expected, actual); // and records' own equals, for good measure
    }

    private static void compare(Object expected, Object actual, String path) {
        if (expected != null && actual != null && expected.getClass().isRecord()) {
            assertEquals(expected.getClass(), actual.getClass(), path);
            for (RecordComponent c : expected.getClass().getRecordComponents()) {
                compare(read(c, expected), read(c, actual), path + "." + c.getName());
            }
        } else if (expected instanceof List<?> e && actual instanceof List<?> a) {
            assertEquals(e.size(), a.size(), path + ".size()");
            for (int i = 0; i < e.size(); i++) {
                compare(e.get(i), a.get(i), path + "[" + i + "]");
            }
        } else if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            if (e instanceof SequencedMap<?, ?> && a instanceof SequencedMap<?, ?>) {
                assertEquals(List.copyOf(e.keySet()), List.copyOf(a.keySet()), path + " keys, in order");
            } else {
                assertEquals(e.keySet(), a.keySet(), path + " keys");
            }
            e.forEach((k, v) -> compare(v, a.get(k), path + "." + k));
        } else {
            assertEquals(expected, actual, path);
        }
    }

    /** An ordered map from alternating keys and values, for expected configs (Map.of has no order). */
    static Map<String, Object> map(Object... keysAndValues) {
        var m = new LinkedHashMap<String, Object>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** An ordered map of strings, for expected env and meta. */
    static Map<String, String> strings(String... keysAndValues) {
        var m = new LinkedHashMap<String, String>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    private static Object read(RecordComponent c, Object record) {
        try {
            return c.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }
}
