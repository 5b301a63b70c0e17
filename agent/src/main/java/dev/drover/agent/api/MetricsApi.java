package dev.drover.agent.api;

import dev.drover.agent.metrics.MetricsJson;
import dev.drover.agent.metrics.MetricsCollector;
import java.io.BufferedOutputStream;
import java.io.OutputStream;

/**
 * {@code GET /v1/metrics}: every series of the agent, as JSON (Nomad's shape) or, with
 * {@code format=prometheus}, in the Prometheus text exposition format (version 0.0.4).
 */
final class MetricsApi {
    /** Text exposition format 0.0.4, as Prometheus expects it. */
    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";
    private final MetricsCollector metrics;

    MetricsApi(MetricsCollector metrics) {
        this.metrics = metrics;
    }

    void register(Router router) {
        router.add("GET", "/v1/metrics", this::metrics);
    }

    private Object metrics(ApiRequest r) throws Exception {
        String format = r.query("format", "");
        return switch (format) {
            case "", "json" -> MetricsJson.render(metrics.snapshots());
            case "prometheus" -> {
                try (OutputStream out = new BufferedOutputStream(r.stream(CONTENT_TYPE), 64 * 1024)) {
                    metrics.writePrometheus(out);
                }
                yield Router.STREAMED;
            }
            default -> throw ApiException.badRequest("format must be \"prometheus\" or \"json\" (the default), got \"" + format + "\"");
        };
    }
}
