package dev.drover.drivers.docker;

import static dev.drover.sdk.testing.WireSamples.sample;

import dev.drover.drivers.docker.logger.DockerLoggerProtocol;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.testing.WireSamples;
import dev.drover.sdk.testing.WireSamples.Sample;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docker_logger's requests survive their hand-written codecs and travel as the JSON Jackson made of them. */
class DockerLoggerProtocolTest {
    static final List<Sample<?, ?>> SAMPLES = List.of(
            sample(DockerLoggerProtocol.START, new DockerLoggerProtocol.Start("unix:///run/d.sock", "c0ffee",
                    "/t/.out.fifo", "/t/.err.fifo", "/t/.docker_logger.checkpoint"), Empty.INSTANCE),
            sample(DockerLoggerProtocol.STOP, new DockerLoggerProtocol.Stop(2_500), Empty.INSTANCE));

    @Test
    void everyRequestSurvivesAndMatchesJackson() {
        WireSamples.assertCovers(DockerLoggerProtocol.class, SAMPLES);
        WireSamples.assertAll(SAMPLES);
    }
}
