package dev.drover.sdk.rpc;

import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The plugin protocol's version, and the JSON mapper the agent and the drivers share for everything that
 * is not the plugin wire (state, API bodies, the Docker Engine API). Plugin calls themselves are framed by
 * {@link Frames} and encoded by each method's {@link Codec}s, without Jackson, so a plugin process never
 * initializes this class's mapper ({@link #PROTOCOL_VERSION} is a compile-time constant).
 */
public final class Wire {
    /** Bumped whenever a request or response record changes incompatibly. */
    public static final int PROTOCOL_VERSION = 1;

    public static final JsonMapper JSON = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private Wire() {}
}
