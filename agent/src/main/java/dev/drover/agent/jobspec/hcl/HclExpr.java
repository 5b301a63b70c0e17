package dev.drover.agent.jobspec.hcl;

import java.math.BigDecimal;
import java.util.List;
import java.util.Objects;

/**
 * The expressions Drover understands: literal values and collections of them. References such as
 * {@code var.x} are kept as {@link Traversal} so a decoder can say where they are and that they
 * are not supported; anything else (function calls, operators, {@code for}) is a parse error.
 */
public sealed interface HclExpr {

    /** Where the expression starts. */
    Pos pos();

    /**
     * A quoted string or heredoc. Escapes are processed, {@code $${} and {@code %%{} are unescaped
     * to {@code ${} and {@code %{}, and template sequences ({@code ${...}}, {@code %{...}}) are
     * kept verbatim, so Nomad-style runtime interpolation such as {@code ${NOMAD_TASK_DIR}} survives.
     */
    record StringLit(String value, Pos pos) implements HclExpr {
        public StringLit {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(pos, "pos");
        }
    }

    /** A number: {@link Long} when its value is whole and fits, else {@link Double} (HCL numbers have no int/float split). */
    record NumberLit(Number value, Pos pos) implements HclExpr {
        public NumberLit {
            if (!(value instanceof Long || value instanceof Double)) {
                throw new IllegalArgumentException("a NumberLit holds a Long or a Double, got " + value);
            }
            Objects.requireNonNull(pos, "pos");
        }

        /** Picks Long or Double for an exact decimal value. */
        public static Number normalize(BigDecimal exact) {
            BigDecimal stripped = exact.stripTrailingZeros();
            if (stripped.scale() <= 0) {
                try {
                    return stripped.longValueExact();
                } catch (ArithmeticException tooBig) {
                    // falls through to Double, like JSON parsers do with huge integers
                }
            }
            return exact.doubleValue();
        }
    }

    record BoolLit(boolean value, Pos pos) implements HclExpr {
        public BoolLit {
            Objects.requireNonNull(pos, "pos");
        }
    }

    /** {@code null}; in HCL an attribute set to null counts as not set. */
    record NullLit(Pos pos) implements HclExpr {
        public NullLit {
            Objects.requireNonNull(pos, "pos");
        }
    }

    /** {@code [a, b, c]}. */
    record TupleExpr(List<HclExpr> elements, Pos pos) implements HclExpr {
        public TupleExpr {
            elements = List.copyOf(elements);
            Objects.requireNonNull(pos, "pos");
        }
    }

    /** {@code { key = value, "other key": value }}; items in source order, keys unique. */
    record ObjectExpr(List<Item> items, Pos pos) implements HclExpr {
        public ObjectExpr {
            items = List.copyOf(items);
            Objects.requireNonNull(pos, "pos");
        }

        /** One {@code key = value}; {@code pos} is where the key starts. */
        public record Item(String key, HclExpr value, Pos pos) {
            public Item {
                Objects.requireNonNull(key, "key");
                Objects.requireNonNull(value, "value");
                Objects.requireNonNull(pos, "pos");
            }
        }
    }

    /**
     * A variable reference such as {@code var.region}, {@code local.x} or {@code attr.kernel.name},
     * kept as the source text. Drover evaluates no variables, so decoders reject these.
     */
    record Traversal(String text, Pos pos) implements HclExpr {
        public Traversal {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(pos, "pos");
        }

        /** The first name, e.g. {@code var} for {@code var.region}. */
        public String root() {
            int end = 0;
            while (end < text.length() && text.charAt(end) != '.' && text.charAt(end) != '[') {
                end++;
            }
            return text.substring(0, end);
        }
    }
}
