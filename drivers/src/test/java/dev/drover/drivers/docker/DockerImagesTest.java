package dev.drover.drivers.docker;

import static dev.drover.drivers.docker.DockerDriverTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Image pull with progress events, and image removal by reference count and delay, across restarts. */
class DockerImagesTest {
    @RegisterExtension
    static final DockerFixture docker = DockerFixture.perClass();

    @TempDir
    Path dir;

    private Map<String, Object> plugin() {
        return Map.of("endpoint", docker.endpoint(), "gc", List.of(Map.of("image_delay", "1s")));
    }

    private static Map<String, Object> sleeper(String image) {
        return Map.of("image", image, "command", "/bin/sh", "args", List.of("-c", "echo up; while true; do sleep 0.1; done"),
                "network_mode", "none");
    }

    @Test
    void pullFromTheRegistryEmitsDownloadingAndProgressEvents() throws Exception {
        String image = docker.pushImage("big", "1", 24);
        var setup = new DockerTaskSetup(dir);
        var driver = setup.driver(plugin());
        var task = setup.new Task("p");
        var config = task.config(Map.of("image", image, "command", "/bin/true"));
        driver.prestart(config);
        var messages = setup.eventMessages();
        assertEquals("Downloading image " + image, messages.getFirst(), messages.toString());
        var last = Pattern.compile("Pulled (\\d+\\.\\d) MB of (\\d+\\.\\d) MB").matcher(messages.getLast());
        assertTrue(last.matches(), messages.toString());
        assertEquals(last.group(1), last.group(2), "the last progress event is the whole image");
        assertTrue(Double.parseDouble(last.group(2)) > 20, "the padded image is over 20 MB: " + messages);
        assertTrue(docker.imagePresent(image));
        setup.events.clear();
        driver.prestart(task.config(Map.of("image", image)));
        assertEquals(List.of(), setup.eventMessages(), "a present image is not pulled again");
        driver.prestart(task.config(Map.of("image", image, "force_pull", true)));
        assertEquals("Downloading image " + image, setup.eventMessages().getFirst(), "force_pull pulls again");
        docker.api().removeImage(image, true);
    }

    @Test
    void anImageIsRemovedAfterTheDelayOnceItsLastTaskIsGone() throws Exception {
        String image = docker.pushImage("gc", "1", 0);
        var setup = new DockerTaskSetup(dir);
        var driver = setup.driver(plugin());
        var a = setup.new Task("a");
        var b = setup.new Task("b");
        var ca = a.config(sleeper(image));
        var cb = b.config(sleeper(image));
        driver.prestart(ca);
        driver.startTask(ca);
        driver.startTask(cb);
        driver.stopTask(ca.id(), Duration.ofSeconds(1), "");
        driver.waitTask(ca.id());
        driver.destroyTask(ca.id(), false);
        Thread.sleep(2500);
        assertTrue(docker.imagePresent(image), "kept while task b uses it");
        driver.stopTask(cb.id(), Duration.ofSeconds(1), "");
        driver.waitTask(cb.id());
        driver.destroyTask(cb.id(), false);
        await(() -> !docker.imagePresent(image), "the image removed 1 s after its last task");
        driver.shutdown();
    }

    @Test
    void referenceCountsAndPendingRemovalsSurviveARestart() throws Exception {
        String kept = docker.pushImage("kept", "1", 0);
        String dropped = docker.pushImage("dropped", "1", 0);
        var setup = new DockerTaskSetup(dir);
        var first = setup.driver(Map.of("endpoint", docker.endpoint(), "gc", List.of(Map.of("image_delay", "2s"))));
        var running = setup.new Task("running").config(sleeper(kept));
        var ended = setup.new Task("ended").config(sleeper(dropped));
        first.prestart(running);
        first.prestart(ended);
        var handle = first.startTask(running).handle();
        first.startTask(ended);
        first.stopTask(ended.id(), Duration.ofSeconds(1), "");
        first.waitTask(ended.id());
        first.destroyTask(ended.id(), false); // its image's removal is pending when the agent goes away
        first.shutdown();

        var second = setup.driver(Map.of("endpoint", docker.endpoint(), "gc", List.of(Map.of("image_delay", "2s"))));
        second.fingerprint(); // the engine answers: counts are rebuilt from its containers
        String keptId = docker.api().inspectImage(kept).orElseThrow().path("Id").asString();
        assertEquals(1, second.imageReferences(keptId), "the running container holds its image");
        await(() -> !docker.imagePresent(dropped), "the pending removal carried over the restart");
        Thread.sleep(2500);
        assertTrue(docker.imagePresent(kept), "an image in use is kept");
        second.recoverTask(handle);
        second.stopTask(running.id(), Duration.ofSeconds(1), "");
        second.waitTask(running.id());
        second.destroyTask(running.id(), false);
        await(() -> !docker.imagePresent(kept), "removed once its last task is gone");
        second.shutdown();
        assertEquals(List.of(), docker.droverContainers());
    }
}
