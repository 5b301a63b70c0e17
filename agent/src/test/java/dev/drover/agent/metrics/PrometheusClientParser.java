package dev.drover.agent.metrics;

import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Parses an exposition with the Prometheus project's own parser library — the official Python
 * client's {@code prometheus_client.parser} (Debian {@code python3-prometheus-client}), since no
 * Java one exists — so tests do not judge our output only by a parser we wrote ({@link PromText}).
 * A scrape it rejects fails the test with the library's error.
 */
public final class PrometheusClientParser {
    private static final Path PYTHON = Path.of("/usr/bin/python3");
    private static final String SCRIPT = """
            import json, sys
            try:
                from prometheus_client.parser import text_string_to_metric_families
            except ImportError:
                sys.exit("python3-prometheus-client is not installed (apt-get install python3-prometheus-client)")
            out = []
            for f in text_string_to_metric_families(sys.stdin.read()):
                out.append({"name": f.name, "type": f.type, "help": f.documentation,
                            "samples": [{"name": s.name, "labels": s.labels, "value": s.value} for s in f.samples]})
            json.dump(out, sys.stdout)
            """;

    private PrometheusClientParser() {}

    /** The samples (name, labels, value) the library read, in order. */
    public static List<PromText.Sample> samples(String exposition) {
        if (!Files.isExecutable(PYTHON)) {
            throw new AssertionError("/usr/bin/python3 not found: install python3 and python3-prometheus-client (apt-get install python3-prometheus-client)");
        }
        try {
            var p = new ProcessBuilder(PYTHON.toString(), "-c", SCRIPT).start();
            var errors = p.getErrorStream();
            Thread.ofVirtual().start(() -> {
                try (var in = p.getOutputStream()) {
                    in.write(exposition.getBytes(StandardCharsets.UTF_8));
                } catch (IOException e) {
                    // the parser died early: its stderr says why
                }
            });
            byte[] out = p.getInputStream().readAllBytes();
            String err = new String(errors.readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("prometheus_client parser did not finish");
            }
            if (p.exitValue() != 0) throw new AssertionError("prometheus_client rejected the scrape: " + err.strip());
            var result = new ArrayList<PromText.Sample>();
            for (var family : Wire.JSON.readTree(out)) {
                for (var s : family.path("samples")) {
                    var labels = new LinkedHashMap<String, String>();
                    s.path("labels").properties().forEach(e -> labels.put(e.getKey(), e.getValue().asString()));
                    result.add(new PromText.Sample(s.path("name").asString(), Map.copyOf(labels), s.path("value").asDouble()));
                }
            }
            return result;
        } catch (IOException e) {
            throw new AssertionError("could not run the prometheus_client parser: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** Every sample of a {@link PromText} scrape, in order, for comparison with {@link #samples}. */
    public static List<PromText.Sample> samplesOf(PromText.Scrape scrape) {
        var all = new ArrayList<PromText.Sample>();
        scrape.families().values().forEach(f -> f.samples().forEach(s -> all.add(new PromText.Sample(s.name(), Map.copyOf(s.labels()), s.value()))));
        return all;
    }
}
