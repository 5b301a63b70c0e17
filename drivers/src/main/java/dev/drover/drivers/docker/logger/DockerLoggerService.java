package dev.drover.drivers.docker.logger;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.docker.api.DockerApiException;
import dev.drover.drivers.docker.api.DockerHttp;
import dev.drover.drivers.docker.api.StdStream;
import dev.drover.sdk.DroverException;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Follows containers' log streams (timestamps on, stdout and stderr demultiplexed) into fifos.
 * Each line's timestamp goes to the session's checkpoint file after the line is written, so a
 * follower that starts over (new plugin process) asks the engine for lines after it: at most the
 * one line in flight when a process died is repeated, none is lost while the engine keeps them.
 */
public final class DockerLoggerService implements DockerLoggerProtocol.DockerLogger {
    private static final Logger LOG = Logger.getLogger(DockerLoggerService.class.getName());

    private final Map<String, Follower> sessions = new ConcurrentHashMap<>();

    /** No container followed: the plugin's idle exit may apply. */
    boolean followsNothing() {
        return sessions.isEmpty();
    }

    @Override
    public void start(String session, DockerLoggerProtocol.Start request) {
        sessions.computeIfAbsent(session, s -> {
            var f = new Follower(s, request);
            Thread.ofVirtual().name("docker-logs-" + s).start(f::run);
            return f;
        });
    }

    @Override
    public void stop(String session, DockerLoggerProtocol.Stop request) {
        var f = sessions.remove(session);
        if (f != null) f.stop(request.drainMillis());
    }

    private static final class Follower {
        private final String session;
        private final DockerLoggerProtocol.Start request;
        private final DockerApi api;
        private final CountDownLatch done = new CountDownLatch(1);
        private volatile boolean stopping;
        private volatile DockerHttp.Response current;

        Follower(String session, DockerLoggerProtocol.Start request) {
            this.session = session;
            this.request = request;
            this.api = new DockerApi(request.endpoint());
        }

        void run() {
            try (var out = new Sink(request.stdoutFifo()); var err = new Sink(request.stderrFifo());
                 var checkpoint = new Checkpoint(request.checkpoint())) {
                long since = checkpoint.last() == 0 ? 0 : checkpoint.last() + 1;
                while (!stopping) {
                    try (var response = api.logs(request.containerId(), since)) {
                        current = response;
                        var frames = new StdStream(response.body());
                        for (StdStream.Frame f; (f = frames.next()) != null; ) {
                            long at = deliver(f, f.stream() == StdStream.STDERR ? err : out);
                            if (at > 0) {
                                checkpoint.record(at);
                                since = at + 1;
                            }
                        }
                    } catch (IOException | DroverException e) {
                        if (e instanceof DockerApiException de && de.notFound()) return; // container removed
                        if (!stopping) LOG.info("docker_logger " + session + ": log stream broke, resuming: " + e.getMessage());
                    }
                    if (stopping || !running()) return;
                    Thread.sleep(500); // the stream ended while the container runs (engine restart): follow again
                }
            } catch (IOException | InterruptedException e) {
                LOG.warning("docker_logger " + session + " ended: " + e);
            } finally {
                done.countDown();
            }
        }

        private boolean running() {
            try {
                return api.inspectContainer(request.containerId()).path("State").path("Running").asBoolean(false);
            } catch (DockerApiException e) {
                return !e.notFound();
            } catch (DroverException e) {
                return true; // engine unreachable for now: keep trying
            }
        }

        /** Writes one frame without its timestamp prefix; returns the timestamp (unix nanos), 0 if none. */
        private static long deliver(StdStream.Frame frame, Sink sink) throws IOException {
            byte[] data = frame.data();
            int space = indexOf(data, (byte) ' ');
            long at = 0;
            int start = 0;
            if (space > 0) {
                try {
                    var instant = Instant.parse(new String(data, 0, space, StandardCharsets.US_ASCII));
                    at = instant.getEpochSecond() * 1_000_000_000L + instant.getNano();
                    start = space + 1;
                } catch (RuntimeException notATimestamp) {
                    // keep the frame whole
                }
            }
            sink.write(data, start, data.length - start);
            return at;
        }

        private static int indexOf(byte[] data, byte b) {
            for (int i = 0; i < Math.min(data.length, 64); i++) if (data[i] == b) return i;
            return -1;
        }

        void stop(long drainMillis) {
            try {
                if (done.await(drainMillis, TimeUnit.MILLISECONDS)) return;
                stopping = true;
                var r = current;
                if (r != null) r.close();
                done.await(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A fifo (or /dev/null) opened on first write; opening blocks until logmon reads it. */
    private static final class Sink implements AutoCloseable {
        private final String path;
        private OutputStream out;

        Sink(String path) {
            this.path = path == null || path.isBlank() ? "/dev/null" : path;
        }

        void write(byte[] data, int off, int len) throws IOException {
            if (out == null) out = new FileOutputStream(path);
            out.write(data, off, len);
        }

        @Override
        public void close() throws IOException {
            if (out != null) out.close();
        }
    }

    /** The last delivered timestamp, as 20 decimal digits at offset 0 of a small file. */
    private static final class Checkpoint implements AutoCloseable {
        private final FileChannel channel; // null: none asked for
        private final ByteBuffer buffer = ByteBuffer.allocate(20);
        private long last;

        Checkpoint(String path) throws IOException {
            if (path == null || path.isBlank()) {
                channel = null;
                return;
            }
            channel = FileChannel.open(Path.of(path), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            var read = ByteBuffer.allocate(20);
            channel.read(read, 0);
            String text = new String(read.array(), 0, read.position(), StandardCharsets.US_ASCII).strip();
            last = text.matches("\\d{1,20}") ? Long.parseLong(text) : 0;
        }

        long last() {
            return last;
        }

        void record(long at) throws IOException {
            last = at;
            if (channel == null) return;
            buffer.clear();
            buffer.put(String.format("%020d", at).getBytes(StandardCharsets.US_ASCII)).flip();
            channel.write(buffer, 0);
        }

        @Override
        public void close() throws IOException {
            if (channel != null) channel.close();
        }
    }
}
