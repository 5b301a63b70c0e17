package dev.drover.agent.api;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Maps "METHOD /v1/path/:param" patterns to handlers. Each API resource class registers its own
 * routes; a pattern's ":name" segment matches one path segment, a trailing "*name" the rest.
 */
public final class Router {
    /** Handles a call; returns a value to send as JSON, or {@link #STREAMED} if it wrote the response. */
    @FunctionalInterface
    public interface Handler {
        Object handle(ApiRequest request) throws Exception;
    }

    /** Marker: the handler streamed its own response body. */
    public static final Object STREAMED = new Object();

    record Route(String method, String pattern, String[] segments, Handler handler) {}

    /** @param pattern the route's pattern, e.g. "/v1/allocation/:id" (a metrics label: ids are not) */
    record Match(Handler handler, Map<String, String> params, String pattern) {}

    private final List<Route> routes = new ArrayList<>();

    public Router add(String method, String pattern, Handler handler) {
        routes.add(new Route(method, pattern, split(pattern), handler));
        return this;
    }

    private static String[] split(String path) {
        String p = path.startsWith("/") ? path.substring(1) : path;
        if (p.endsWith("/")) p = p.substring(0, p.length() - 1);
        return p.isEmpty() ? new String[0] : p.split("/", -1);
    }

    /** The route for a call, or why there is none: 404 for an unknown path, 405 for a wrong method. */
    Match find(String method, String path) {
        String[] parts = split(path);
        boolean pathMatched = false;
        for (var route : routes) {
            var params = match(route.segments(), parts);
            if (params == null) continue;
            pathMatched = true;
            if (route.method().equals(method)) return new Match(route.handler(), params, route.pattern());
        }
        if (pathMatched) throw new ApiException(405, "method " + method + " not allowed on " + path);
        throw ApiException.notFound("no such API path: " + path);
    }

    private static Map<String, String> match(String[] pattern, String[] parts) {
        var params = new HashMap<String, String>();
        for (int i = 0; i < pattern.length; i++) {
            String seg = pattern[i];
            if (seg.startsWith("*")) {
                params.put(seg.substring(1), String.join("/", java.util.Arrays.copyOfRange(parts, Math.min(i, parts.length), parts.length)));
                return params;
            }
            if (i >= parts.length) return null;
            if (seg.startsWith(":")) {
                if (parts[i].isEmpty()) return null;
                params.put(seg.substring(1), java.net.URLDecoder.decode(parts[i], java.nio.charset.StandardCharsets.UTF_8));
            } else if (!seg.equals(parts[i])) {
                return null;
            }
        }
        return pattern.length == parts.length ? params : null;
    }
}
