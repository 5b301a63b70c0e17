package dev.drover.sdk.rpc;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * How one wire record becomes a JSON value ({@link Json}'s plain objects) and back, written out by hand
 * for each record (no reflection). The JSON is what Jackson made of the record before: one field per
 * record component, by name; {@code null} for a missing reference, byte arrays in base64, enums by name.
 * Decoding ignores unknown fields and takes missing ones as null, 0, false or empty, so either side may
 * add a field.
 */
public interface Codec<T> {
    Object encode(T value);

    T decode(Object json);

    /** A record as a JSON object; null stays null both ways. */
    static <T> Codec<T> object(Function<T, Map<String, Object>> encode, Function<JsonObject, T> decode) {
        return new Codec<>() {
            @Override
            public Object encode(T value) {
                return value == null ? null : encode.apply(value);
            }

            @Override
            public T decode(Object json) {
                return json == null ? null : decode.apply(JsonObject.of(json));
            }
        };
    }

    /** A list of values of {@code element}; null stays null. */
    static <T> Codec<List<T>> listOf(Codec<T> element) {
        return new Codec<>() {
            @Override
            public Object encode(List<T> values) {
                if (values == null) return null;
                var out = new ArrayList<>(values.size());
                for (T v : values) out.add(element.encode(v));
                return out;
            }

            @Override
            public List<T> decode(Object json) {
                if (json == null) return null;
                if (!(json instanceof List<?> items)) throw new IllegalArgumentException("expected an array");
                var out = new ArrayList<T>(items.size());
                for (Object item : items) out.add(element.decode(item));
                return out;
            }
        };
    }

    /** Requests and responses without fields: {@code {}}. */
    Codec<Empty> EMPTY = object(e -> Json.object(), o -> Empty.INSTANCE);
}
