package dev.drover.agent.jobspec;

import dev.drover.sdk.Durations;
import dev.drover.agent.jobspec.hcl.HclExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.BoolLit;
import dev.drover.agent.jobspec.hcl.HclExpr.NumberLit;
import dev.drover.agent.jobspec.hcl.HclExpr.ObjectExpr;
import dev.drover.agent.jobspec.hcl.HclExpr.StringLit;
import dev.drover.agent.jobspec.hcl.HclExpr.Traversal;
import dev.drover.agent.jobspec.hcl.HclExpr.TupleExpr;
import dev.drover.agent.jobspec.hcl.HclValues;
import dev.drover.agent.jobspec.hcl.Pos;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Converts attribute values to the types the job model needs. Conversions follow HCL's (cty's)
 * rules so files Nomad accepts are accepted here: numbers and bools become strings where a string
 * is wanted, and numeric strings such as "2" count as numbers.
 */
final class HclConvert {

    private HclConvert() {}

    /** A value of the wrong type; {@code pos} is the value's position. */
    static final class BadValue extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Pos pos;

        BadValue(Pos pos, String message) {
            super(message, null, false, false);
            this.pos = pos;
        }
    }

    static String string(String what, HclExpr e) {
        return switch (e) {
            case StringLit s -> s.value();
            case NumberLit n -> HclValues.formatNumber(n.value());
            case BoolLit b -> Boolean.toString(b.value());
            default -> throw wrongType(what + " must be a string", e);
        };
    }

    static long wholeNumber(String what, HclExpr e) {
        BigDecimal n = switch (e) {
            case NumberLit lit -> new BigDecimal(lit.value().toString());
            case StringLit s when parses(s.value()) -> new BigDecimal(s.value());
            default -> throw wrongType(what + " must be a whole number", e);
        };
        try {
            return n.longValueExact();
        } catch (ArithmeticException notWhole) {
            throw wrongType(what + " must be a whole number", e);
        }
    }

    static int integer(String what, HclExpr e) {
        long n = wholeNumber(what, e);
        if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
            throw new BadValue(e.pos(), what + " is out of range, got " + n);
        }
        return (int) n;
    }

    static boolean bool(String what, HclExpr e) {
        return switch (e) {
            case BoolLit b -> b.value();
            case StringLit s when s.value().equals("true") || s.value().equals("false") -> Boolean.parseBoolean(s.value());
            default -> throw wrongType(what + " must be true or false", e);
        };
    }

    /** Go duration syntax, as a string: "10s", "1m30s". */
    static Duration duration(String what, HclExpr e) {
        if (!(e instanceof StringLit s)) {
            throw wrongType(what + " must be a duration string such as \"10s\"", e);
        }
        try {
            return Durations.parse(s.value());
        } catch (IllegalArgumentException bad) {
            throw new BadValue(e.pos(), what + ": " + bad.getMessage());
        }
    }

    static List<String> stringList(String what, HclExpr e) {
        if (!(e instanceof TupleExpr t)) {
            throw wrongType(what + " must be a list of strings", e);
        }
        var out = new ArrayList<String>();
        for (int i = 0; i < t.elements().size(); i++) {
            out.add(string(what + "[" + i + "]", t.elements().get(i)));
        }
        return out;
    }

    /** An object whose values are strings, numbers or bools; all become strings. */
    static Map<String, String> stringMap(String what, HclExpr e) {
        if (!(e instanceof ObjectExpr o)) {
            throw wrongType(what + " must be a map of strings", e);
        }
        var out = new LinkedHashMap<String, String>();
        for (ObjectExpr.Item item : o.items()) {
            out.put(item.key(), string(what + "." + item.key(), item.value()));
        }
        return out;
    }

    private static boolean parses(String s) {
        try {
            new BigDecimal(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static BadValue wrongType(String expectation, HclExpr got) {
        if (got instanceof Traversal t) {
            return new BadValue(t.pos(), HclValues.unsupportedReference(t));
        }
        return new BadValue(got.pos(), expectation + ", got " + HclValues.describe(got));
    }
}
