package dev.drover.agent.jobspec.hcl;

import java.util.Objects;

/** {@code name = value}; {@code pos} is where the name starts, the value carries its own position. */
public record HclAttribute(String name, HclExpr value, Pos pos) implements HclItem {

    public HclAttribute {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(pos, "pos");
    }
}
