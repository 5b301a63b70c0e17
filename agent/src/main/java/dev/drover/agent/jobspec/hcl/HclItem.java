package dev.drover.agent.jobspec.hcl;

/** An entry of a body: an attribute ({@code name = value}) or a block ({@code type "label" { ... }}). */
public sealed interface HclItem permits HclAttribute, HclBlock {

    /** The attribute name, or the block type. */
    String name();

    /** Where the name starts. */
    Pos pos();
}
