package dev.drover.cli;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The agent's HTTP API as the CLI sees it: JSON in, JSON (or a raw byte stream) out, and every
 * failure turned into a ready-to-print {@link CliException} here, in one place.
 */
final class ApiClient implements AutoCloseable {
    /** Default agent address, as Nomad's 4646. */
    static final String DEFAULT_ADDRESS = "http://127.0.0.1:4646";
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** A raw answer, for callers that treat some non-2xx statuses specially (job parse). */
    record Response(int status, HttpHeaders headers, byte[] body) {
        boolean ok() {
            return status / 100 == 2;
        }

        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final String address;
    private final JsonMapper json;
    // HTTP/1.1 only: the default (HTTP/2) makes the JDK attempt an h2c upgrade on plain http.
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    ApiClient(String address, JsonMapper json) {
        this.address = address;
        this.json = json;
    }

    String address() {
        return address;
    }

    JsonMapper json() {
        return json;
    }

    /** Encodes one path segment or query value (job IDs may contain anything). */
    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    JsonNode get(String path, String doing) {
        return call("GET", path, null, doing);
    }

    JsonNode put(String path, Object body, String doing) {
        return call("PUT", path, body, doing);
    }

    JsonNode post(String path, Object body, String doing) {
        return call("POST", path, body, doing);
    }

    JsonNode delete(String path, String doing) {
        return call("DELETE", path, null, doing);
    }

    private JsonNode call(String method, String path, Object body, String doing) {
        Response r = send(method, path, body);
        if (!r.ok()) {
            throw error(doing, r.status(), r.text());
        }
        return parse(r.body(), doing);
    }

    JsonNode parse(byte[] body, String doing) {
        if (body.length == 0) {
            return json.createObjectNode();
        }
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw new CliException("Error " + doing + ": invalid JSON from agent: " + e.getOriginalMessage());
        }
    }

    /** Sends a request; only transport failures throw, any HTTP status is returned. */
    Response send(String method, String path, Object body) {
        HttpRequest.Builder b = request(path).timeout(REQUEST_TIMEOUT).header("Accept", "application/json");
        if (body == null) {
            b.method(method, HttpRequest.BodyPublishers.noBody());
        } else {
            b.header("Content-Type", "application/json")
                    .method(method, HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
        }
        try {
            HttpResponse<byte[]> r = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(r.statusCode(), r.headers(), r.body());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Error querying agent at " + address + ": interrupted");
        }
    }

    /** GETs a streaming body (logs); no timeout, since a follow only ends when the server closes. */
    InputStream stream(String path, String doing) {
        try {
            HttpResponse<InputStream> r = http.send(request(path).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (r.statusCode() / 100 != 2) {
                try (InputStream in = r.body()) {
                    throw error(doing, r.statusCode(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            }
            return r.body();
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException("Error querying agent at " + address + ": interrupted");
        }
    }

    private HttpRequest.Builder request(String path) {
        try {
            return HttpRequest.newBuilder(URI.create(address + path));
        } catch (IllegalArgumentException e) {
            throw new CliException("Error: invalid agent address \"" + address + "\": " + e.getMessage());
        }
    }

    /** Every request has completed by now; don't leave the client's selector thread behind. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    static ApiException error(String doing, int status, String body) {
        String msg = body.strip();
        return new ApiException(doing, status, msg.isEmpty() ? "HTTP " + status : msg);
    }

    CliException unreachable(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return new CliException("Error querying agent at " + address
                        + ": connection refused (is \"drover agent\" running? set -address or DROVER_ADDR)");
            }
        }
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new CliException("Error querying agent at " + address + ": " + why);
    }
}
