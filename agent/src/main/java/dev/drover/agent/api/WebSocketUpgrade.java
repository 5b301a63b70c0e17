package dev.drover.agent.api;

import java.time.Duration;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;

/**
 * A handler's answer "serve this call as a websocket with {@code endpoint}" (a Jetty
 * {@code Session.Listener}); {@link ApiServer} performs the upgrade. Lets a route stay one method
 * of its resource class like every other route.
 */
record WebSocketUpgrade(Object endpoint) {
    /**
     * Heartbeats ({@code {}} every 10 s from the CLI) keep a session open; a client silent for this
     * long is gone, and a write it stops reading fails after it too.
     */
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(2);

    /** Installs websocket support on the server; call before it starts. */
    static void install(Server server) {
        ServerWebSocketContainer.ensure(server).setIdleTimeout(IDLE_TIMEOUT);
    }

    /** @throws ApiException 400 when the call is not a websocket upgrade request */
    void perform(Request request, Response response, Callback callback) {
        var container = ServerWebSocketContainer.get(request.getContext());
        boolean upgraded;
        try {
            upgraded = container.upgrade((rq, rs, cb) -> endpoint, request, response, callback);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("websocket upgrade failed: " + e.getMessage(), e);
        }
        if (!upgraded) throw ApiException.badRequest("this endpoint is a websocket: send an upgrade request (Connection: Upgrade, Upgrade: websocket)");
    }
}
