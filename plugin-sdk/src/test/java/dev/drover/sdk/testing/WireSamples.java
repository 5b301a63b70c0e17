package dev.drover.sdk.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.Json;
import dev.drover.sdk.rpc.RpcMethod;
import dev.drover.sdk.rpc.Wire;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Checks for a protocol's hand-written codecs: a sample request and response for every method, each with every
 * record component set to a non-default value (so a component missing from a codec is caught), survives our
 * codec, and travels as the very JSON Jackson made of the record before (so agents, plugins and third-party
 * drivers of either encoding understand each other).
 */
public final class WireSamples {
    private WireSamples() {}

    /** One call's sample request and response. */
    public record Sample<Q, R>(RpcMethod<Q, R> method, Q request, R response) {}

    public static <Q, R> Sample<Q, R> sample(RpcMethod<Q, R> method, Q request, R response) {
        return new Sample<>(method, request, response);
    }

    /** Every public {@code RpcMethod} constant of {@code protocol} has a sample. */
    public static void assertCovers(Class<?> protocol, List<Sample<?, ?>> samples) {
        Set<String> declared = new TreeSet<>();
        for (var field : protocol.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == RpcMethod.class) {
                try {
                    declared.add(((RpcMethod<?, ?>) field.get(null)).name());
                } catch (IllegalAccessException e) {
                    throw new AssertionError(e);
                }
            }
        }
        assertFalse(declared.isEmpty(), protocol + " declares no methods");
        var sampled = samples.stream().map(s -> s.method().name()).collect(Collectors.toCollection(TreeSet::new));
        assertTrue(sampled.containsAll(declared), "methods of " + protocol.getSimpleName() + " without a sample: "
                + declared.stream().filter(n -> !sampled.contains(n)).toList());
    }

    /** Request and response of every sample round-trip and match Jackson's JSON, both ways. */
    public static void assertAll(List<Sample<?, ?>> samples) {
        for (var s : samples) check(s);
    }

    private static <Q, R> void check(Sample<Q, R> s) {
        assertRoundTrip(s.method().name() + " request", s.method().request(), s.request());
        assertRoundTrip(s.method().name() + " response", s.method().response(), s.response());
    }

    /** A sample with every component set survives and matches Jackson's JSON. */
    public static <T> void assertRoundTrip(String what, Codec<T> codec, T value) {
        if (!(value instanceof Empty)) assertFullySet(what, value);
        assertTravels(what, codec, value);
    }

    /** Any value (defaults too) survives our codec and matches Jackson's JSON, both ways. */
    public static <T> void assertTravels(String what, Codec<T> codec, T value) {
        byte[] ours = Json.write(codec.encode(value));
        assertSame(what + " through our codec", value, codec.decode(Json.parse(ours)));
        // the wire format is what Jackson wrote and read before: either side may still be Jackson
        byte[] jackson = Wire.JSON.writeValueAsBytes(value);
        assertEquals(withoutDerived(Json.parse(jackson)), Json.parse(ours), what + ": our JSON differs from Jackson's");
        assertSame(what + " written by Jackson, read by our codec", value, codec.decode(Json.parse(jackson)));
        assertSame(what + " written by our codec, read by Jackson", value, Wire.JSON.readValue(ours, value.getClass()));
    }

    /**
     * Properties Jackson derived from methods that are not record components, which no reader uses: it took
     * {@code ExecCommand.isolated()} for the getter of an "olated" property.
     */
    private static final Set<String> JACKSON_DERIVED = Set.of("olated");

    private static Object withoutDerived(Object json) {
        if (json instanceof Map<?, ?> map) {
            var out = new java.util.LinkedHashMap<Object, Object>();
            map.forEach((k, v) -> {
                if (!JACKSON_DERIVED.contains(k)) out.put(k, withoutDerived(v));
            });
            return out;
        }
        if (json instanceof List<?> list) return list.stream().map(WireSamples::withoutDerived).toList();
        return json;
    }

    /** Equal, comparing byte arrays inside records by content. */
    private static void assertSame(String what, Object expected, Object actual) {
        if (expected instanceof byte[] e) {
            assertArrayEquals(e, (byte[]) actual, what);
        } else if (expected instanceof Record r && hasArray(r)) {
            assertNotNull(actual, what);
            for (RecordComponent c : r.getClass().getRecordComponents()) {
                assertSame(what + "." + c.getName(), get(c, r), get(c, (Record) actual));
            }
        } else {
            assertEquals(expected, actual, what);
        }
    }

    private static boolean hasArray(Record r) {
        for (RecordComponent c : r.getClass().getRecordComponents()) {
            Object v = get(c, r);
            if (v instanceof byte[] || v instanceof Record nested && hasArray(nested)) return true;
        }
        return false;
    }

    private static Object get(RecordComponent c, Record r) {
        try {
            return c.getAccessor().invoke(r);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError(e);
        }
    }

    /** Recursively: no component is null, zero, false or empty. */
    public static void assertFullySet(String what, Object value) {
        if (!(value instanceof Record record)) return;
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object v = get(c, record);
            String where = what + ": " + record.getClass().getSimpleName() + "." + c.getName();
            assertNotNull(v, where + " is null in the sample");
            if (v instanceof Number n) assertNotEquals(0.0, n.doubleValue(), where + " is zero in the sample");
            if (v instanceof Boolean b) assertTrue(b, where + " is false in the sample");
            if (v instanceof String str) assertFalse(str.isEmpty(), where + " is empty in the sample");
            if (v instanceof Collection<?> col) {
                assertFalse(col.isEmpty(), where + " is empty in the sample");
                for (Object item : col) assertFullySet(where, item);
            }
            if (v instanceof Map<?, ?> map) assertFalse(map.isEmpty(), where + " is empty in the sample");
            if (v instanceof byte[] bytes) assertNotEquals(0, bytes.length, where + " is empty in the sample");
            assertFullySet(where, v);
        }
    }
}
