package dev.drover.sdk.env;

import java.util.Map;

/**
 * The node facts a job can reference: {@code ${node.unique.id}}, {@code ${node.datacenter}},
 * {@code ${attr.<key>}} and {@code ${meta.<key>}}.
 */
public record NodeInfo(String id, String name, String datacenter, String region, String nodeClass, String pool,
                       Map<String, String> attributes, Map<String, String> meta) {
    public NodeInfo {
        attributes = Map.copyOf(attributes);
        meta = Map.copyOf(meta);
    }

    /** Value of a {@code node.*}, {@code attr.*} or {@code meta.*} reference, or null. */
    public String lookup(String ref) {
        return switch (ref) {
            case "node.unique.id" -> id;
            case "node.unique.name" -> name;
            case "node.datacenter" -> datacenter;
            case "node.region" -> region;
            case "node.class" -> nodeClass;
            case "node.pool" -> pool;
            default -> {
                if (ref.startsWith("attr.")) yield attributes.get(ref.substring(5));
                if (ref.startsWith("meta.")) yield meta.get(ref.substring(5));
                yield null;
            }
        };
    }
}
