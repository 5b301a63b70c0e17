package dev.drover.agent.jobspec.hcl;

import java.util.List;
import java.util.Optional;

/**
 * The contents of a file or of a block: attributes and blocks in source order. The parser
 * guarantees attribute names are unique within one body; blocks may repeat.
 */
public record HclBody(List<HclItem> items) {

    public HclBody {
        items = List.copyOf(items);
    }

    public List<HclAttribute> attributes() {
        return items.stream().filter(HclAttribute.class::isInstance).map(HclAttribute.class::cast).toList();
    }

    public List<HclBlock> blocks() {
        return items.stream().filter(HclBlock.class::isInstance).map(HclBlock.class::cast).toList();
    }

    public Optional<HclAttribute> attribute(String name) {
        return attributes().stream().filter(a -> a.name().equals(name)).findFirst();
    }

    /** The blocks of one type, in source order. */
    public List<HclBlock> blocks(String type) {
        return blocks().stream().filter(b -> b.type().equals(type)).toList();
    }
}
