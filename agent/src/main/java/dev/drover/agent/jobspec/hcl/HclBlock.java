package dev.drover.agent.jobspec.hcl;

import java.util.List;
import java.util.Objects;

/**
 * {@code type "label1" label2 { body }}. Labels may be written quoted or as bare names; both end up
 * as plain strings. {@code pos} is where the type name starts.
 */
public record HclBlock(String type, List<String> labels, HclBody body, Pos pos) implements HclItem {

    public HclBlock {
        Objects.requireNonNull(type, "type");
        labels = List.copyOf(labels);
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(pos, "pos");
    }

    @Override
    public String name() {
        return type;
    }
}
