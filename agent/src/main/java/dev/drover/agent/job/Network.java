package dev.drover.agent.job;

import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * A group's network.
 *
 * @param mode "host" (Nomad's default), "bridge", "none" or "cni/&lt;name&gt;"
 * @param ports static ports first, then dynamic ones, each kind in the order given. Nomad stores
 *     the two kinds in separate lists, so keeping this order makes HCL and JSON agree.
 */
public record Network(String mode, List<Port> ports) {

    public Network {
        Objects.requireNonNull(mode, "mode");
        ports = List.copyOf(ports);
        new Checks()
                .check(mode.equals("host") || mode.equals("bridge") || mode.equals("none")
                                || (mode.startsWith("cni/") && mode.length() > 4),
                        "mode", "network mode must be host, bridge, none or cni/<name>, got " + Checks.quote(mode))
                // indexes refer to the list as passed in, before the reordering below
                .unique(ports, Port::label, "ports", label -> "duplicate port label " + Checks.quote(label))
                .throwIfAny();
        ports = Stream.concat(ports.stream().filter(p -> !p.isDynamic()), ports.stream().filter(Port::isDynamic))
                .toList();
    }
}
