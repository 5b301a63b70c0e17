package dev.drover.sdk.driver;

/**
 * What a driver can do, as data (Nomad's Capabilities). Optional behaviours beyond this live in
 * small extra interfaces a driver may implement.
 */
public record Capabilities(boolean sendSignals, boolean exec, FsIsolation fsIsolation,
                           boolean disableLogCollection) {
    public Capabilities {
        if (fsIsolation == null) throw new IllegalArgumentException("fsIsolation is required");
    }
}
