package dev.drover.agent.api;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.rpc.Wire;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The agent's HTTP API on Jetty's core API (no servlets). Handlers run on virtual threads and may
 * block (log following). Errors map to status codes in one place, {@link #status}.
 */
public final class ApiServer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ApiServer.class.getName());

    private final Server server;
    private final ServerConnector connector;

    /** Told of every finished request, by route pattern (not path, so ids do not become labels). */
    @FunctionalInterface
    public interface RequestObserver {
        RequestObserver NONE = (method, route, status, nanos) -> {};

        void observe(String method, String route, int status, long nanos);
    }

    public ApiServer(String bindAddress, int port, Router router) {
        this(bindAddress, port, router, RequestObserver.NONE);
    }

    public ApiServer(String bindAddress, int port, Router router, RequestObserver observer) {
        var threads = new QueuedThreadPool(32, 2);
        threads.setName("api");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        this.server = new Server(threads);
        this.connector = new ServerConnector(server, 1, 1);
        connector.setHost(bindAddress);
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgrade.install(server);
        server.setHandler(new Handler.Abstract() {
            @Override
            public boolean handle(Request request, Response response, Callback callback) {
                long began = System.nanoTime();
                String route = serve(router, request, response, callback);
                observer.observe(request.getMethod(), route, response.getStatus(), System.nanoTime() - began);
                return true;
            }
        });
    }

    /** Serves one request; returns the matched route pattern ("unmatched" if none). */
    private static String serve(Router router, Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String route = "unmatched";
        try {
            var match = router.find(request.getMethod(), path);
            route = match.pattern();
            Object result = match.handler().handle(new ApiRequest(request, response, match.params()));
            if (result instanceof WebSocketUpgrade upgrade) {
                upgrade.perform(request, response, callback); // the websocket owns the callback from here
                return route;
            }
            if (result == Router.STREAMED) {
                callback.succeeded();
                return route;
            }
            response.setStatus(200);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
            Content.Sink.write(response, true, Wire.JSON.writeValueAsString(result), callback);
            return route;
        } catch (Throwable e) {
            int status = status(e);
            if (status == 500) LOG.log(Level.WARNING, request.getMethod() + " " + path + " failed", e);
            if (response.isCommitted()) {
                callback.failed(e);
                return route;
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain; charset=utf-8");
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            Content.Sink.write(response, true, message + "\n", callback);
            return route;
        }
    }

    /** The one table from error kinds to HTTP status codes. */
    static int status(Throwable e) {
        if (e instanceof ApiException a) return a.status();
        if (e instanceof DroverException d) {
            return switch (d.kind()) {
                case NOT_FOUND -> 404;
                case INVALID_CONFIG, NOT_SUPPORTED -> 400;
                case ALREADY_EXISTS -> 409;
                case UNAVAILABLE -> 503;
                case INTERNAL -> 500;
            };
        }
        if (e instanceof IllegalArgumentException) return 400;
        return 500;
    }

    public void start() throws Exception {
        server.start();
    }

    /** The port actually bound (useful with port 0 in tests). */
    public int port() {
        return connector.getLocalPort();
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(connector.getHost(), port());
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
