package dev.drover.sdk.driver;

import java.util.Map;

/** A driver's health and the node attributes it contributes ({@code driver.<name>.*}). */
public record Fingerprint(Health health, String healthDescription, Map<String, String> attributes) {
    public enum Health { UNDETECTED, UNHEALTHY, HEALTHY }

    public Fingerprint {
        attributes = Map.copyOf(attributes);
    }

    public static Fingerprint healthy(Map<String, String> attributes) {
        return new Fingerprint(Health.HEALTHY, "Healthy", attributes);
    }

    public static Fingerprint undetected(String why) {
        return new Fingerprint(Health.UNDETECTED, why, Map.of());
    }
}
