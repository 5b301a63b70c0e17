package dev.drover.agent.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogStreamerTest {
    @TempDir
    Path dir;

    /** What a sink saw: each chunk with its file and end offset. */
    record Chunk(String file, long offsetAfter, String data) {}

    private List<Chunk> read(LogStreamer.Start start) throws Exception {
        var chunks = new ArrayList<Chunk>();
        new LogStreamer(dir, "web", "stdout").stream(start, false, () -> true, new LogStreamer.Sink() {
            @Override
            public void write(String file, long offsetAfter, byte[] b, int len) {
                chunks.add(new Chunk(file, offsetAfter, new String(b, 0, len, StandardCharsets.UTF_8)));
            }

            @Override
            public void flush() {}
        });
        return chunks;
    }

    private void file(int index, String content) throws IOException {
        Files.writeString(dir.resolve("web.stdout." + index), content);
    }

    @Test
    void chunksNameTheirFileAndWhereTheyEndInIt() throws Exception {
        file(3, "three\n");
        file(4, "four\n");
        assertEquals(List.of(new Chunk("web.stdout.3", 6, "three\n"), new Chunk("web.stdout.4", 5, "four\n")),
                read(new LogStreamer.Start.Offset(0, false)));
    }

    @Test
    void aResumeStartsInTheNamedFileAtTheOffset() throws Exception {
        file(3, "three\n");
        file(4, "four\n");
        assertEquals(List.of(new Chunk("web.stdout.3", 6, "ee\n"), new Chunk("web.stdout.4", 5, "four\n")),
                read(new LogStreamer.Start.InFile("web.stdout.3", 3)));
        assertEquals(List.of(new Chunk("web.stdout.4", 5, "r\n")), read(new LogStreamer.Start.InFile("web.stdout.4", 3)));
    }

    @Test
    void aResumeInAFilePurgedMeanwhileGoesOnWithTheOldestLeft() throws Exception {
        file(3, "three\n");
        file(4, "four\n");
        assertEquals(List.of(new Chunk("web.stdout.3", 6, "three\n"), new Chunk("web.stdout.4", 5, "four\n")),
                read(new LogStreamer.Start.InFile("web.stdout.1", 40)));
    }

    @Test
    void onlyThisStreamsFilesAreNamed() {
        var streamer = new LogStreamer(dir, "web", "stdout");
        assertEquals(Optional.of(12), streamer.indexOf("web.stdout.12"));
        assertEquals(Optional.empty(), streamer.indexOf("web.stderr.12"));
        assertEquals(Optional.empty(), streamer.indexOf("../web.stdout.1"));
        assertEquals(Optional.empty(), streamer.indexOf("web.stdout.99999999999"));
        assertThrows(IllegalArgumentException.class, () -> read(new LogStreamer.Start.InFile("other.stdout.1", 0)));
    }
}
