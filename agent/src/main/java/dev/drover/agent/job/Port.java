package dev.drover.agent.job;

import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A port a group asks for.
 *
 * @param label the name tasks refer to (e.g. {@code NOMAD_PORT_http})
 * @param value the static host port, or 0 for a dynamic one picked by the client
 * @param to the port inside the task's network namespace; 0 = same as the host port, -1 = same
 *     as the (possibly dynamic) host port, as in Nomad
 * @param hostNetwork the client host network to take the port from; Nomad's default is "default"
 */
public record Port(String label, int value, int to, String hostNetwork) {

    /** Labels become parts of environment variable names, hence the strict alphabet. */
    public static final Pattern LABEL = Pattern.compile("[a-zA-Z0-9_]+");

    public Port {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(hostNetwork, "hostNetwork");
        new Checks()
                .check(LABEL.matcher(label).matches(), "label",
                        "port label " + Checks.quote(label) + " must match [a-zA-Z0-9_]+")
                .check(value >= 0 && value <= 65535, "value", "static port must be between 0 and 65535, got " + value)
                .check(to >= -1 && to <= 65535, "to", "to must be between -1 and 65535, got " + to)
                .check(!hostNetwork.isBlank(), "hostNetwork", "host_network must not be blank")
                .throwIfAny();
    }

    public boolean isDynamic() {
        return value == 0;
    }
}
