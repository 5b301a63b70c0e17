package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.rpc.Wire;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import tools.jackson.databind.JsonNode;

/**
 * Makes an image present: inspects, pulls if absent (or forced), and reports progress as task
 * events — "Downloading image …", then "Pulled 12.0 MB of 40.0 MB" at most every
 * {@link #PROGRESS_INTERVAL} and once at the end. Concurrent pulls of one reference share a
 * single engine pull (Nomad's coordinator does the same).
 */
final class ImagePuller {
    static final Duration PROGRESS_INTERVAL = Duration.ofSeconds(2);

    private final DockerApi api;
    private final Map<String, CompletableFuture<String>> pulls = new ConcurrentHashMap<>();

    ImagePuller(DockerApi api) {
        this.api = api;
    }

    /** {@code busybox} → {@code busybox:latest}; a reference with a tag or digest is kept (a registry port is not a tag). */
    static String withTag(String image) {
        if (image.contains("@")) return image;
        int slash = image.lastIndexOf('/');
        return image.indexOf(':', slash + 1) >= 0 ? image : image + ":latest";
    }

    /**
     * What {@link #ensure} did: the image's id and, when this call pulled it, the bytes of the
     * layers it downloaded and how long the pull took (both 0 when the image was present or another
     * task's pull of it was joined).
     */
    record Ensured(String id, long pulledBytes, long pullNanos) {
        boolean pulled() {
            return pullNanos > 0;
        }
    }

    /** The image's id, pulling it first when needed. */
    Ensured ensure(String image, DockerTaskConfig.Auth auth, boolean forcePull, Duration timeout, Consumer<String> events) {
        String ref = withTag(image);
        if (!forcePull) {
            var present = api.inspectImage(ref);
            if (present.isPresent()) return new Ensured(present.get().path("Id").asString(), 0, 0);
        }
        events.accept("Downloading image " + ref);
        var mine = new CompletableFuture<String>();
        var running = pulls.putIfAbsent(ref, mine);
        if (running != null) return new Ensured(join(running, ref), 0, 0);
        try {
            long began = System.nanoTime();
            long bytes = pull(ref, auth, timeout, events);
            long took = Math.max(1, System.nanoTime() - began);
            String id = api.inspectImage(ref).orElseThrow(() ->
                    DroverException.unavailable("image " + ref + " is missing right after its pull", null)).path("Id").asString();
            mine.complete(id);
            return new Ensured(id, bytes, took);
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            pulls.remove(ref, mine);
        }
    }

    private static String join(CompletableFuture<String> pull, String ref) {
        try {
            return pull.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof DroverException de) throw de;
            throw DroverException.unavailable("failed to pull image " + ref + ": " + e.getCause(), e.getCause());
        }
    }

    /** Pulls with progress events; the bytes of the layers downloaded. */
    private long pull(String ref, DockerTaskConfig.Auth auth, Duration timeout, Consumer<String> events) {
        var layers = new LinkedHashMap<String, long[]>(); // id → {current, total}
        long[] lastReport = {System.nanoTime()};
        try {
            api.pull(ref, authHeader(auth), timeout, message -> {
                track(layers, message);
                if (System.nanoTime() - lastReport[0] >= PROGRESS_INTERVAL.toNanos()) {
                    lastReport[0] = System.nanoTime();
                    progress(layers).ifPresent(events);
                }
            });
        } catch (DroverException e) {
            throw new DroverException(DroverException.Kind.UNAVAILABLE, "failed to pull image " + ref + ": " + e.getMessage(), true, e);
        }
        progress(layers).ifPresent(events);
        return layers.values().stream().mapToLong(l -> l[0]).sum();
    }

    /** Layer sizes from "Downloading" messages; a finished layer counts whole. */
    private static void track(Map<String, long[]> layers, JsonNode message) {
        String id = message.path("id").asString("");
        String status = message.path("status").asString("");
        if (id.isEmpty()) return;
        var detail = message.path("progressDetail");
        long[] layer = layers.computeIfAbsent(id, k -> new long[2]);
        if (status.equals("Downloading") && detail.has("total")) {
            layer[0] = detail.path("current").asLong(0);
            layer[1] = detail.path("total").asLong(0);
        } else if (status.equals("Download complete") || status.equals("Pull complete")) {
            layer[0] = layer[1];
        }
    }

    private static java.util.Optional<String> progress(Map<String, long[]> layers) {
        long current = 0, total = 0;
        for (long[] l : layers.values()) {
            current += l[0];
            total += l[1];
        }
        if (total == 0) return java.util.Optional.empty();
        return java.util.Optional.of("Pulled " + mb(current) + " of " + mb(total));
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1_000_000.0);
    }

    /** The engine's X-Registry-Auth header: base64url of the credentials as JSON. */
    static String authHeader(DockerTaskConfig.Auth auth) {
        var node = Wire.JSON.createObjectNode();
        if (auth != null) {
            node.put("username", auth.username()).put("password", auth.password())
                    .put("email", auth.email()).put("serveraddress", auth.serverAddress());
        }
        return Base64.getUrlEncoder().encodeToString(Wire.JSON.writeValueAsString(node).getBytes(StandardCharsets.UTF_8));
    }
}
