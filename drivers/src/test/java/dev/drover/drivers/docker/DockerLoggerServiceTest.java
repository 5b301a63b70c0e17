package dev.drover.drivers.docker;

import static dev.drover.drivers.docker.DockerDriverTest.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.docker.logger.DockerLoggerProtocol;
import dev.drover.drivers.docker.logger.DockerLoggerService;
import dev.drover.sdk.rpc.Wire;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A docker_logger that goes away mid-stream (its process died) is replaced by one that resumes
 * from the checkpoint: the fifo sees every line once, in order.
 */
class DockerLoggerServiceTest {
    @RegisterExtension
    static final DockerFixture docker = DockerFixture.perClass("logger", 0);

    @TempDir
    Path dir;

    @BeforeAll
    static void pullImage() {
        docker.api().pull(docker.image(), ImagePuller.authHeader(null), java.time.Duration.ofMinutes(1), m -> {});
    }

    @Test
    void aReplacementLoggerResumesAfterTheCheckpointWithoutRepeatsOrGaps() throws Exception {
        var setup = new DockerTaskSetup(dir);
        var task = setup.new Task("l");
        var spec = Wire.JSON.createObjectNode().put("Image", docker.image());
        spec.putArray("Cmd").add("/bin/sh").add("-c").add("i=0; while [ $i -lt 400 ]; do i=$((i+1)); echo line-$i; sleep 0.005; done");
        spec.putObject("Labels").put(ContainerSpec.LABEL_ALLOC_ID, task.allocId);
        spec.putObject("HostConfig").put("NetworkMode", "none").putObject("LogConfig").put("Type", "json-file");
        String id = docker.api().createContainer("logger-test", spec);
        docker.api().startContainer(id);
        var config = task.config(java.util.Map.of());
        var request = new DockerLoggerProtocol.Start(docker.endpoint(), id, config.stdoutPath(), config.stderrPath(),
                dir.resolve("checkpoint").toString());

        var first = new DockerLoggerService();
        first.start("s", request);
        await(() -> task.stdout().contains("line-100\n"), "the first logger copying");
        first.stop("s", new DockerLoggerProtocol.Stop(0)); // gone mid-stream, as if its process died
        assertTrue(Files.size(dir.resolve("checkpoint")) > 0, "a checkpoint was written");

        var second = new DockerLoggerService();
        second.start("s", request);
        await(() -> task.stdout().contains("line-400\n"), "the replacement logger reaching the end");
        second.stop("s", new DockerLoggerProtocol.Stop(5_000));
        var lines = task.stdout().split("\n");
        assertEquals(400, lines.length, "every line exactly once");
        for (int i = 0; i < lines.length; i++) assertEquals("line-" + (i + 1), lines[i]);
        docker.api().removeContainer(id, true);
        assertEquals(List.of(), docker.droverContainers());
    }
}
