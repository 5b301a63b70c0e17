package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.docker.api.DockerApiException;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Image reference counting (Nomad's image coordinator). Each task holds a reference to its image
 * from start to destroy; when the last one goes, the image is removed {@code image_delay} later
 * unless a new task takes it first. Unlike Nomad, the counts survive an agent restart: they are
 * rebuilt from the containers carrying our labels, and the images we track are kept in a small
 * file so an image whose last task ended before the restart is still removed.
 */
final class ImageRefs {
    private static final Logger LOG = Logger.getLogger(ImageRefs.class.getName());
    private static final int REMOVE_ATTEMPTS = 3;
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "docker-image-gc");
        t.setDaemon(true);
        return t;
    });

    private final DockerApi api;
    private final boolean enabled;
    private final Duration delay;
    private final Path stateFile; // the image ids we manage, so pending removals survive a restart
    private final Map<String, Set<String>> refs = new HashMap<>();
    private final Map<String, ScheduledFuture<?>> pending = new HashMap<>();
    private final Set<String> managed = new TreeSet<>();
    private boolean rebuilt;

    ImageRefs(DockerApi api, boolean enabled, Duration delay, Path stateFile) {
        this.api = api;
        this.enabled = enabled;
        this.delay = delay;
        this.stateFile = stateFile;
        load();
    }

    /** A task uses the image: cancels a removal scheduled for it. */
    synchronized void acquire(String imageId, String taskId) {
        refs.computeIfAbsent(imageId, k -> new HashSet<>()).add(taskId);
        var removal = pending.remove(imageId);
        if (removal != null) removal.cancel(false);
        if (enabled && managed.add(imageId)) save();
    }

    /** The task is gone: the last one out schedules the image's removal. */
    synchronized void release(String imageId, String taskId) {
        var users = refs.get(imageId);
        if (users != null) {
            users.remove(taskId);
            if (!users.isEmpty()) return;
            refs.remove(imageId);
        }
        scheduleRemoval(imageId);
    }

    synchronized int references(String imageId) {
        return refs.getOrDefault(imageId, Set.of()).size();
    }

    /**
     * After an agent restart, once the engine answers: every container of ours holds a reference;
     * tracked images nobody holds get their removal scheduled anew.
     */
    synchronized void rebuildOnce() {
        if (rebuilt) return;
        List<tools.jackson.databind.JsonNode> containers = api.listContainers(ContainerSpec.LABEL_ALLOC_ID);
        for (var c : containers) {
            String image = c.path("ImageID").asString("");
            String task = c.path("Labels").path(ContainerSpec.LABEL_TASK_ID).asString(c.path("Id").asString());
            if (!image.isEmpty()) refs.computeIfAbsent(image, k -> new HashSet<>()).add(task);
        }
        for (String image : List.copyOf(managed)) {
            if (!refs.containsKey(image)) scheduleRemoval(image);
        }
        rebuilt = true;
    }

    /** Agent shutdown: pending removals are dropped here and rescheduled by the next agent's rebuild. */
    synchronized void close() {
        pending.values().forEach(f -> f.cancel(false));
        pending.clear();
    }

    private void scheduleRemoval(String imageId) {
        if (!enabled || pending.containsKey(imageId)) return;
        pending.put(imageId, TIMER.schedule(() -> remove(imageId, 1), delay.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** Under the lock, so a removal in flight finishes before close() returns and acquire() waits for it. */
    private synchronized void remove(String imageId, int attempt) {
        if (refs.containsKey(imageId)) return; // taken again meanwhile
        pending.remove(imageId);
        try {
            api.removeImage(imageId, true);
            LOG.info("removed image " + imageId + " (unused for " + delay + ")");
        } catch (DockerApiException e) {
            // Gone already, or in use by a container that is not ours: not ours to force.
            if (!e.notFound()) LOG.info("keeping image " + imageId + ": " + e.getMessage());
        } catch (DroverException e) {
            if (attempt < REMOVE_ATTEMPTS) {
                pending.put(imageId, TIMER.schedule(() -> remove(imageId, attempt + 1), 3, TimeUnit.SECONDS));
                return;
            }
            LOG.warning("could not remove image " + imageId + ": " + e.getMessage());
        }
        if (managed.remove(imageId)) save();
    }

    private void load() {
        if (stateFile == null || !Files.exists(stateFile)) return;
        try {
            for (var id : Wire.JSON.readTree(Files.readAllBytes(stateFile))) managed.add(id.asString());
        } catch (IOException | RuntimeException e) {
            LOG.warning("ignoring unreadable docker image state " + stateFile + ": " + e.getMessage());
        }
    }

    private void save() {
        if (stateFile == null) return;
        try {
            Files.createDirectories(stateFile.getParent());
            Path tmp = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
            Files.write(tmp, Wire.JSON.writeValueAsBytes(managed));
            Files.move(tmp, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            LOG.warning("could not save docker image state " + stateFile + ": " + e.getMessage());
        }
    }
}
