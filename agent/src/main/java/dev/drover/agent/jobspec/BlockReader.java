package dev.drover.agent.jobspec;

import dev.drover.agent.job.InvalidJobException;
import dev.drover.agent.job.InvalidJobException.Violation;
import dev.drover.agent.jobspec.HclConvert.BadValue;
import dev.drover.agent.jobspec.Schema.Kind;
import dev.drover.agent.jobspec.hcl.HclAttribute;
import dev.drover.agent.jobspec.hcl.HclBlock;
import dev.drover.agent.jobspec.hcl.HclBody;
import dev.drover.agent.jobspec.hcl.HclExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.NullLit;
import dev.drover.agent.jobspec.hcl.HclExpr.TupleExpr;
import dev.drover.agent.jobspec.hcl.HclItem;
import dev.drover.agent.jobspec.hcl.Pos;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * One block of a job file checked against its {@link Schema}: unknown names are errors, ignored
 * ones warnings, and the typed getters report wrong values with their positions. Getters return
 * null when the attribute is absent, set to {@code null}, or invalid (already reported), so
 * callers can fall back to a default and keep going to find more errors.
 */
final class BlockReader {

    private final Problems problems;
    private final String where;
    private final Pos pos;
    private final Map<String, HclItem> singles = new HashMap<>();
    private final Map<String, List<HclBlock>> repeated = new HashMap<>();
    /** Labeled block types with a malformed instance, so lists of them are known to be incomplete. */
    private final Set<String> malformed = new HashSet<>();
    private final int errorsAtStart;

    /**
     * @param where how messages name this block, e.g. {@code task "web"}
     * @param pos the block's position, used when a problem has no more precise place
     */
    BlockReader(Problems problems, String where, Pos pos, HclBody body, Schema schema) {
        this.problems = problems;
        this.where = where;
        this.pos = pos;
        this.errorsAtStart = problems.errorCount();
        for (HclItem item : body.items()) {
            accept(item, schema);
        }
    }

    static BlockReader of(Problems problems, String where, HclBlock block, Schema schema) {
        return new BlockReader(problems, where, block.pos(), block.body(), schema);
    }

    private void accept(HclItem item, Schema schema) {
        String name = item.name();
        Kind kind = schema.supported().get(name);
        boolean isBlock = item instanceof HclBlock;
        if (kind == null) {
            if (schema.ignored().containsKey(name)) {
                problems.warn(item.pos(), schema.ignoredMessage(name));
            } else {
                problems.error(item.pos(), "unknown " + (isBlock ? "block" : "attribute") + " \"" + name + "\" in "
                        + where + "; allowed: " + schema.allowed());
            }
            return;
        }
        switch (kind) {
            case ATTRIBUTE -> {
                if (isBlock) {
                    problems.error(item.pos(), "\"" + name + "\" is an attribute, not a block; write " + name + " = ...");
                } else {
                    singles.put(name, item);
                }
            }
            case BLOCK, MAP -> {
                if (!isBlock && kind == Kind.BLOCK) {
                    problems.error(item.pos(), "\"" + name + "\" is a block, not an attribute; write " + name + " { ... }");
                } else if (item instanceof HclBlock b && !b.labels().isEmpty()) {
                    problems.error(item.pos(), "block \"" + name + "\" takes no labels");
                } else if (singles.containsKey(name)) {
                    problems.error(item.pos(), "\"" + name + "\" is already set in " + where + " at "
                            + singles.get(name).pos().lineCol());
                } else {
                    singles.put(name, item);
                }
            }
            case LABELED_BLOCKS -> {
                if (!(item instanceof HclBlock b)) {
                    problems.error(item.pos(), "\"" + name + "\" is a block, not an attribute; write " + name
                            + " \"<name>\" { ... }");
                } else if (b.labels().size() != 1) {
                    problems.error(item.pos(), "block \"" + name + "\" needs exactly one label, its name: " + name
                            + " \"<name>\" { ... }");
                    malformed.add(name);
                } else {
                    repeated.computeIfAbsent(name, k -> new ArrayList<>()).add(b);
                }
            }
        }
    }

    // ---- structure ----

    HclBlock block(String name) {
        return singles.get(name) instanceof HclBlock b ? b : null;
    }

    List<HclBlock> blocks(String name) {
        return repeated.getOrDefault(name, List.of());
    }

    /** Where an attribute's value (or a block of that name) is; this block's position if absent. */
    Pos posOf(String name) {
        HclItem item = singles.get(name);
        if (item instanceof HclAttribute a) {
            return a.value().pos();
        }
        return item != null ? item.pos() : pos;
    }

    // ---- typed attributes ----

    /** The value, or null when absent or {@code null} (HCL: an attribute set to null is unset). */
    private HclExpr value(String name) {
        return singles.get(name) instanceof HclAttribute a && !(a.value() instanceof NullLit) ? a.value() : null;
    }

    String string(String name) {
        return convert(name, HclConvert::string);
    }

    Integer integer(String name) {
        return convert(name, HclConvert::integer);
    }

    Boolean bool(String name) {
        return convert(name, HclConvert::bool);
    }

    java.time.Duration duration(String name) {
        return convert(name, HclConvert::duration);
    }

    List<String> stringList(String name) {
        return convert(name, HclConvert::stringList);
    }

    /** The positions of a list attribute's elements, to point at one of them. */
    List<Pos> elementPositions(String name) {
        return value(name) instanceof TupleExpr t ? t.elements().stream().map(HclExpr::pos).toList() : List.of();
    }

    /** A {@link Kind#MAP}: {@code name { k = v }} or {@code name = { k = v }}; empty if absent. */
    Map<String, String> stringMap(String name) {
        HclItem item = singles.get(name);
        if (item instanceof HclBlock b) {
            var out = new LinkedHashMap<String, String>();
            for (HclItem entry : b.body().items()) {
                switch (entry) {
                    case HclBlock nested -> problems.error(nested.pos(), "\"" + name + "\" holds only key = value pairs, not blocks");
                    case HclAttribute a when a.value() instanceof NullLit -> { }
                    case HclAttribute a -> {
                        try {
                            out.put(a.name(), HclConvert.string(name + "." + a.name(), a.value()));
                        } catch (BadValue bad) {
                            problems.error(bad.pos, bad.getMessage());
                        }
                    }
                }
            }
            return out;
        }
        Map<String, String> map = convert(name, HclConvert::stringMap);
        return map != null ? map : new LinkedHashMap<>();
    }

    private interface Conversion<T> {
        T apply(String what, HclExpr value);
    }

    private <T> T convert(String name, Conversion<T> conversion) {
        HclExpr v = value(name);
        if (v == null) {
            return null;
        }
        try {
            return conversion.apply(name, v);
        } catch (BadValue bad) {
            problems.error(bad.pos, bad.getMessage());
            return null;
        }
    }

    // ---- building records ----

    /**
     * Decoded labeled blocks (or list elements) with where each one is, so a record's violation
     * about element i can point at it. {@code complete} is false when some failed to decode.
     */
    record Children<T>(String field, List<T> values, List<Pos> positions, boolean complete) {}

    /** Decodes each labeled block of one type, in order; the ones that fail are left out. */
    <T> Children<T> each(String name, String field, Function<HclBlock, T> decoder) {
        var values = new ArrayList<T>();
        var positions = new ArrayList<Pos>();
        for (HclBlock b : blocks(name)) {
            T decoded = decoder.apply(b);
            if (decoded != null) {
                values.add(decoded);
                positions.add(b.pos());
            }
        }
        return new Children<>(field, values, positions, values.size() == blocks(name).size() && !malformed.contains(name));
    }

    /**
     * Runs a record constructor and reports its violations at the attribute each one names. It
     * runs even when something inside this block already failed, to report this block's own
     * mistakes too, but then the result is discarded.
     *
     * @param names record component to attribute name where snake_case does not give it (memoryMB to memory)
     * @param children list components whose elements have positions; whole-list violations (like
     *     "no tasks") are not reported for incomplete lists since a failed element caused them
     * @return the record, or null if this block or anything in it had an error
     */
    <T> T build(Supplier<T> constructor, Map<String, String> names, Children<?>... children) {
        try {
            T value = constructor.get();
            return problems.errorCount() == errorsAtStart ? value : null;
        } catch (InvalidJobException e) {
            for (Violation v : e.violations()) {
                Children<?> list = Arrays.stream(children).filter(c -> c.field().equals(v.field())).findFirst().orElse(null);
                Pos at;
                if (list != null && v.index() >= 0 && v.index() < list.positions().size()) {
                    at = list.positions().get(v.index());
                } else if (list != null && !list.complete()) {
                    continue;
                } else {
                    at = posOf(names.getOrDefault(v.field(), snakeCase(v.field())));
                }
                problems.error(at, v.message());
            }
            return null;
        }
    }

    static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }

    static String snakeCase(String camel) {
        return camel.replaceAll("([a-z0-9])([A-Z])", "$1_$2").toLowerCase(java.util.Locale.ROOT);
    }
}
