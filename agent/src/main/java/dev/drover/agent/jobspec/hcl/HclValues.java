package dev.drover.agent.jobspec.hcl;

import dev.drover.agent.jobspec.hcl.HclExpr.BoolLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NullLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NumberLit;
import dev.drover.agent.jobspec.hcl.HclExpr.ObjectExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.StringLit;
import dev.drover.agent.jobspec.hcl.HclExpr.Traversal;
import dev.drover.agent.jobspec.hcl.HclExpr.TupleExpr;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns expressions and bodies into plain Java values for generic decoding: String, Long,
 * Double, Boolean, null, {@link List} and {@link LinkedHashMap} (in source order). The
 * results are mutable copies owned by the caller.
 */
public final class HclValues {

    private HclValues() {}

    /**
     * The plain value of an expression; nulls inside lists and objects are kept.
     *
     * @throws HclException if the expression contains a reference such as {@code var.x}
     */
    public static Object toPlain(HclExpr expr) {
        return switch (expr) {
            case StringLit s -> s.value();
            case NumberLit n -> n.value();
            case BoolLit b -> b.value();
            case NullLit n -> null;
            case TupleExpr t -> {
                var list = new ArrayList<>(t.elements().size());
                for (HclExpr e : t.elements()) {
                    list.add(toPlain(e));
                }
                yield list;
            }
            case ObjectExpr o -> {
                var map = new LinkedHashMap<String, Object>();
                for (ObjectExpr.Item item : o.items()) {
                    map.put(item.key(), toPlain(item.value()));
                }
                yield map;
            }
            case Traversal t -> throw new HclException(t.pos(), unsupportedReference(t));
        };
    }

    /**
     * A body as a map, the convention Nomad uses for free-form blocks such as a task's
     * {@code config}: attributes map to their values; blocks map to a list with one map per
     * block, in order (so repeated blocks append). A block's labels go under the key
     * {@code "label"}: a String for one label, a list for several.
     *
     * <pre>
     * data_dir = "/x"                          {data_dir=/x,
     * plugin "raw_exec" {                  =&gt;   plugin=[{label=raw_exec,
     *   config { enabled = true }                        config=[{enabled=true}]}]}
     * }
     * </pre>
     *
     * @throws HclException listing every reference, and every name used both as an attribute and a block
     */
    public static Map<String, Object> toPlain(HclBody body) {
        var problems = new ArrayList<Diagnostic>();
        Map<String, Object> map = bodyToPlain(body, null, problems);
        if (!problems.isEmpty()) {
            throw new HclException(problems);
        }
        return map;
    }

    private static Map<String, Object> bodyToPlain(HclBody body, List<String> labels, List<Diagnostic> problems) {
        var map = new LinkedHashMap<String, Object>();
        if (labels != null && !labels.isEmpty()) {
            map.put("label", labels.size() == 1 ? labels.getFirst() : new ArrayList<>(labels));
        }
        for (HclItem item : body.items()) {
            switch (item) {
                case HclAttribute a -> {
                    if (map.containsKey(a.name())) {
                        problems.add(new Diagnostic(a.pos(), "\"" + a.name() + "\" is used both as an attribute and as "
                                + (a.name().equals("label") ? "the block label key" : "a block")));
                        continue;
                    }
                    try {
                        map.put(a.name(), toPlain(a.value()));
                    } catch (HclException e) {
                        problems.addAll(e.diagnostics());
                    }
                }
                case HclBlock b -> {
                    Object existing = map.computeIfAbsent(b.type(), k -> new BlockList());
                    if (existing instanceof BlockList list) {
                        list.add(bodyToPlain(b.body(), b.labels(), problems));
                    } else {
                        problems.add(new Diagnostic(b.pos(), "\"" + b.type() + "\" is used both as an attribute and as a block"));
                    }
                }
            }
        }
        return map;
    }

    /** Marks lists made from blocks, so a later attribute of the same name is caught. */
    private static final class BlockList extends ArrayList<Object> {
        private static final long serialVersionUID = 1L;
    }

    /** The message for a reference, shared so every decoder words it the same way. */
    public static String unsupportedReference(Traversal t) {
        return "variables and references are not supported: " + t.text();
    }

    /**
     * How a value reads in "got ..." messages: {@code string "two"}, {@code number 1.5},
     * {@code bool true}, {@code null}, {@code a list}, {@code an object}, {@code reference var.x}.
     */
    public static String describe(HclExpr expr) {
        return switch (expr) {
            case StringLit s -> "string " + Quoting.quote(s.value());
            case NumberLit n -> "number " + formatNumber(n.value());
            case BoolLit b -> "bool " + b.value();
            case NullLit n -> "null";
            case TupleExpr t -> "a list";
            case ObjectExpr o -> "an object";
            case Traversal t -> "reference " + t.text();
        };
    }

    /** Numbers as HCL prints them: 3, 1.5, 0.001 (no exponent, no trailing ".0"). */
    public static String formatNumber(Number n) {
        if (n instanceof Long l) {
            return Long.toString(l);
        }
        return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    }
}
