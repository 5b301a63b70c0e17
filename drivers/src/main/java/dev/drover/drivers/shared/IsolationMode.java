package dev.drover.drivers.shared;

import java.util.Locale;

/**
 * Which executor runs an exec/java task: the isolated one (an OCI runtime sandbox rooted at the
 * task dir) or the universal one (a plain child process on the host, like raw_exec).
 */
public enum IsolationMode {
    ISOLATED, UNIVERSAL;

    /** The config spelling: "isolated" or "universal". */
    public String configName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses "isolated" or "universal" (any case); the message says what is allowed. */
    public static IsolationMode parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "isolated" -> ISOLATED;
            case "universal" -> UNIVERSAL;
            default -> throw new IllegalArgumentException("must be \"isolated\" or \"universal\", got \"" + value + "\"");
        };
    }
}
