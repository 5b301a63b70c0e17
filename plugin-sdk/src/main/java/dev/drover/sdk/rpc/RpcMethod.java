package dev.drover.sdk.rpc;

/**
 * One call of a plugin's wire contract: a name and exactly one request and one response type, each with
 * its {@link Codec}. Protocols declare their methods as constants in one class so the contract lives in
 * one place.
 */
public record RpcMethod<Q, R>(String name, Codec<Q> request, Codec<R> response) {
    public RpcMethod {
        if (name == null || !name.matches("[a-z_]+\\.[a-z_]+")) {
            throw new IllegalArgumentException("rpc method name must look like 'service.call': " + name);
        }
        if (request == null || response == null) throw new IllegalArgumentException("rpc method " + name + " needs both codecs");
    }

    public static <Q, R> RpcMethod<Q, R> of(String name, Codec<Q> request, Codec<R> response) {
        return new RpcMethod<>(name, request, response);
    }
}
