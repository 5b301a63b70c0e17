package dev.drover.sdk.rpc;

/** Request or response with no fields. */
public record Empty() {
    public static final Empty INSTANCE = new Empty();
}
