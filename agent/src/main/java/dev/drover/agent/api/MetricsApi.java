package dev.drover.agent.api;

import dev.drover.agent.metrics.MetricsJson;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.BufferedOutputStream;
import java.io.OutputStream;

/**
 * {@code GET /v1/metrics}: every series of the agent, as JSON (Nomad's shape) or, with
 * {@code format=prometheus}, in the Prometheus text exposition format (version 0.0.4).
 */
final class MetricsApi {
    private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();
    private final PrometheusRegistry registry;

    MetricsApi(PrometheusRegistry registry) {
        this.registry = registry;
    }

    void register(Router router) {
        router.add("GET", "/v1/metrics", this::metrics);
    }

    private Object metrics(ApiRequest r) throws Exception {
        String format = r.query("format", "");
        return switch (format) {
            case "", "json" -> MetricsJson.render(registry.scrape());
            case "prometheus" -> {
                var snapshots = registry.scrape();
                try (OutputStream out = new BufferedOutputStream(r.stream(TEXT.getContentType()), 64 * 1024)) {
                    TEXT.write(out, snapshots);
                }
                yield Router.STREAMED;
            }
            default -> throw ApiException.badRequest("format must be \"prometheus\" or \"json\" (the default), got \"" + format + "\"");
        };
    }
}
