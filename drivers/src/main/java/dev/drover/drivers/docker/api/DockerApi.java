package dev.drover.drivers.docker.api;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.rpc.Wire;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * The Engine API calls Drover uses (API version 1.41, Docker 20.10 and newer), typed just enough:
 * answers are Jackson trees the caller reads the few fields it needs from.
 */
public final class DockerApi {
    /** Pinned so a newer engine answers in the shape we parse. */
    public static final String VERSION_PREFIX = "/v1.41";
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private final DockerHttp http;

    public DockerApi(String endpoint) {
        this.http = new DockerHttp(endpoint);
    }

    public String endpoint() {
        return http.endpoint();
    }

    public static String q(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** One request with a JSON (or empty) answer; error statuses become {@link DockerApiException}. */
    public JsonNode call(String method, String path, Object body, Duration timeout) {
        return call(method, path, Map.of(), body, timeout);
    }

    JsonNode call(String method, String path, Map<String, String> headers, Object body, Duration timeout) {
        byte[] bytes = body == null ? null : body instanceof byte[] b ? b : Wire.JSON.writeValueAsBytes(body);
        var allHeaders = new java.util.LinkedHashMap<>(headers);
        if (body != null && !(body instanceof byte[])) allHeaders.put("Content-Type", "application/json");
        try (var response = http.send(method, VERSION_PREFIX + path, allHeaders, bytes, timeout)) {
            byte[] answer = response.readAll();
            check(response.status(), answer);
            if (answer.length == 0) return Wire.JSON.missingNode();
            return Wire.JSON.readTree(answer);
        } catch (IOException e) {
            throw DroverException.unavailable("docker engine request " + method + " " + path + " failed: " + e, e);
        }
    }

    /** Opens a streaming request; the caller reads and closes the response. */
    public DockerHttp.Response stream(String method, String path, Map<String, String> headers, Object body, Duration timeout) {
        byte[] bytes = body == null ? null : Wire.JSON.writeValueAsBytes(body);
        var allHeaders = new java.util.LinkedHashMap<>(headers);
        if (body != null) allHeaders.put("Content-Type", "application/json");
        var response = http.send(method, VERSION_PREFIX + path, allHeaders, bytes, timeout);
        if (response.status() >= 400) {
            try (response) {
                check(response.status(), response.readAll());
            } catch (IOException e) {
                throw DroverException.unavailable("docker engine request " + method + " " + path + " failed: " + e, e);
            }
        }
        return response;
    }

    static void check(int status, byte[] answer) {
        if (status < 400) return;
        String message = new String(answer, StandardCharsets.UTF_8).strip();
        try {
            var node = Wire.JSON.readTree(answer);
            if (node.has("message")) message = node.get("message").asString();
        } catch (RuntimeException notJson) {
            // keep the raw text
        }
        throw new DockerApiException(status, message);
    }

    // ---- system --------------------------------------------------------------------------------

    public JsonNode version(Duration timeout) {
        return call("GET", "/version", null, timeout);
    }

    // ---- images --------------------------------------------------------------------------------

    public Optional<JsonNode> inspectImage(String ref) {
        try {
            return Optional.of(call("GET", "/images/" + ref + "/json", null, DEFAULT_TIMEOUT));
        } catch (DockerApiException e) {
            if (e.notFound()) return Optional.empty();
            throw e;
        }
    }

    /**
     * Pulls {@code ref} (which carries a tag or digest), handing every progress message to
     * {@code onMessage}. An {@code error} message in the stream fails the pull (the engine answers
     * 200 before it knows).
     */
    public void pull(String ref, String registryAuth, Duration timeout, Consumer<JsonNode> onMessage) {
        var headers = registryAuth == null ? Map.<String, String>of() : Map.of("X-Registry-Auth", registryAuth);
        readMessages(stream("POST", "/images/create?fromImage=" + q(ref), headers, null, timeout), "pull " + ref, timeout, onMessage);
    }

    /** Pushes {@code name:tag} to the registry its name points at. */
    public void push(String name, String tag, String registryAuth, Duration timeout) {
        readMessages(stream("POST", "/images/" + name + "/push?tag=" + q(tag), Map.of("X-Registry-Auth", registryAuth), null, timeout),
                "push " + name + ":" + tag, timeout, m -> {});
    }

    /** Creates an image from a root filesystem tarball ({@code docker import}). */
    public void importImage(byte[] tar, String repo, String tag) {
        try (var response = http.send("POST", VERSION_PREFIX + "/images/create?fromSrc=-&repo=" + q(repo) + "&tag=" + q(tag),
                Map.of("Content-Type", "application/x-tar"), tar, Duration.ofMinutes(2))) {
            byte[] answer = response.readAll();
            check(response.status(), answer);
            String text = new String(answer, StandardCharsets.UTF_8);
            if (text.contains("\"error\"")) throw new DockerApiException(500, "import " + repo + ":" + tag + ": " + text.strip());
        } catch (IOException e) {
            throw DroverException.unavailable("import of " + repo + ":" + tag + " failed: " + e, e);
        }
    }

    public void tagImage(String image, String repo, String tag) {
        call("POST", "/images/" + image + "/tag?repo=" + q(repo) + "&tag=" + q(tag), null, DEFAULT_TIMEOUT);
    }

    public void removeImage(String image, boolean force) {
        call("DELETE", "/images/" + image + "?force=" + force, null, DEFAULT_TIMEOUT);
    }

    private static void readMessages(DockerHttp.Response response, String what, Duration timeout, Consumer<JsonNode> onMessage) {
        try (response) {
            for (String line; (line = DockerHttp.readLine(response.body())) != null; ) {
                if (line.isBlank()) continue;
                var message = Wire.JSON.readTree(line);
                if (message.has("error")) {
                    throw new DockerApiException(500, message.path("errorDetail").path("message").asString(message.get("error").asString()));
                }
                onMessage.accept(message);
            }
        } catch (IOException e) {
            throw DroverException.unavailable(what + " failed: " + (timeout != null ? "no answer within " + timeout.toSeconds() + "s or " : "") + e, e);
        }
    }

    // ---- containers ----------------------------------------------------------------------------

    /** Creates a container; returns its id. */
    public String createContainer(String name, JsonNode spec) {
        return call("POST", "/containers/create?name=" + q(name), spec, DEFAULT_TIMEOUT).path("Id").asString();
    }

    public void startContainer(String id) {
        call("POST", "/containers/" + id + "/start", null, DEFAULT_TIMEOUT);
    }

    public JsonNode inspectContainer(String id) {
        return call("GET", "/containers/" + id + "/json", null, DEFAULT_TIMEOUT);
    }

    /** Blocks until the container is not running; returns its exit code. */
    public int waitContainer(String id) {
        return call("POST", "/containers/" + id + "/wait", null, null).path("StatusCode").asInt(-1);
    }

    public void killContainer(String id, String signal) {
        call("POST", "/containers/" + id + "/kill?signal=" + q(signal), null, DEFAULT_TIMEOUT);
    }

    /** Sends the image's stop signal, then SIGKILL after {@code seconds}. */
    public void stopContainer(String id, long seconds) {
        call("POST", "/containers/" + id + "/stop?t=" + seconds, null, Duration.ofSeconds(seconds + 60));
    }

    public void removeContainer(String id, boolean force) {
        call("DELETE", "/containers/" + id + "?force=" + force + "&v=true", null, DEFAULT_TIMEOUT);
    }

    /** Containers (running or not) carrying the label {@code key}. */
    public List<JsonNode> listContainers(String labelKey) {
        String filters = "{\"label\":[\"" + labelKey + "\"]}";
        var out = new ArrayList<JsonNode>();
        call("GET", "/containers/json?all=true&filters=" + q(filters), null, DEFAULT_TIMEOUT).forEach(out::add);
        return out;
    }

    /**
     * Follows the container's log stream from {@code sinceNanos} (inclusive; 0 = from the start)
     * with timestamps; the caller demultiplexes it with {@link StdStream}.
     */
    public DockerHttp.Response logs(String id, long sinceNanos) {
        String since = (sinceNanos / 1_000_000_000L) + "." + String.format("%09d", sinceNanos % 1_000_000_000L);
        return stream("GET", "/containers/" + id + "/logs?follow=1&stdout=1&stderr=1&timestamps=1&since=" + since, Map.of(), null, null);
    }

    // ---- interactive exec ----------------------------------------------------------------------

    /** Creates an exec instance in a running container; returns its id. */
    public String createExec(String containerId, JsonNode spec) {
        return call("POST", "/containers/" + containerId + "/exec", spec, DEFAULT_TIMEOUT).path("Id").asString();
    }

    /**
     * Starts an exec on a hijacked connection: the engine answers {@code 101 UPGRADED}, then the
     * connection carries stdin to the command and its output back (raw with a TTY, else
     * {@link StdStream} frames) until the command is done. No timeout: a session lasts as long as
     * its command.
     */
    public DockerHttp.Response startExecAttached(String execId, boolean tty) {
        var start = Wire.JSON.createObjectNode().put("Detach", false).put("Tty", tty);
        var response = stream("POST", "/exec/" + execId + "/start", Map.of("Connection", "Upgrade", "Upgrade", "tcp"), start, null);
        if (response.status() != 101) {
            response.close();
            throw DroverException.unavailable("docker engine answered " + response.status() + " to exec start, not 101 UPGRADED", null);
        }
        return response;
    }

    /** Resizes an exec's TTY; the engine waits (up to 10 s) for a just-started exec to be ready. */
    public void resizeExec(String execId, int height, int width) {
        call("POST", "/exec/" + execId + "/resize?h=" + height + "&w=" + width, null, DEFAULT_TIMEOUT);
    }

    /** Running, ExitCode (null while running), Pid (host pid; 0 if it never started). */
    public JsonNode inspectExec(String execId) {
        return call("GET", "/exec/" + execId + "/json", null, DEFAULT_TIMEOUT);
    }

    /** The output and exit code of a one-shot exec. */
    public record ExecOutput(byte[] stdout, byte[] stderr, int exitCode) {}

    /** Runs {@code command} in the container and collects its output; closes the stream at the timeout. */
    public ExecOutput exec(String id, List<String> command, Duration timeout) {
        var create = Wire.JSON.createObjectNode();
        create.put("AttachStdout", true).put("AttachStderr", true).put("Tty", false);
        var cmd = create.putArray("Cmd");
        command.forEach(cmd::add);
        String execId = call("POST", "/containers/" + id + "/exec", create, DEFAULT_TIMEOUT).path("Id").asString();
        var start = Wire.JSON.createObjectNode().put("Detach", false).put("Tty", false);
        var out = new ByteArrayOutputStream();
        var err = new ByteArrayOutputStream();
        try (var response = stream("POST", "/exec/" + execId + "/start", Map.of(), start, timeout)) {
            var frames = new StdStream(response.body());
            for (StdStream.Frame f; (f = frames.next()) != null; ) {
                (f.stream() == StdStream.STDERR ? err : out).writeBytes(f.data());
            }
        } catch (IOException e) {
            throw DroverException.unavailable("exec in container " + id + " failed or timed out after " + timeout.toSeconds() + "s: " + e, e);
        }
        var inspect = call("GET", "/exec/" + execId + "/json", null, DEFAULT_TIMEOUT);
        if (inspect.path("Running").asBoolean(false)) {
            throw DroverException.unavailable("exec in container " + id + " did not finish within " + timeout.toSeconds() + "s", null);
        }
        return new ExecOutput(out.toByteArray(), err.toByteArray(), inspect.path("ExitCode").asInt(-1));
    }
}
