package dev.drover.sdk.driver;

/** A port the agent reserved for an allocation: host port {@code value} on {@code hostIp}, {@code to} inside. */
public record AllocatedPort(String label, int value, int to, String hostIp) {
    public AllocatedPort {
        if (label == null || !label.matches("[A-Za-z0-9_]+")) throw new IllegalArgumentException("bad port label: " + label);
        if (value < 0 || value > 65535) throw new IllegalArgumentException("port out of range: " + value);
    }
}
