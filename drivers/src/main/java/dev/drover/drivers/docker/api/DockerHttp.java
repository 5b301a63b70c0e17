package dev.drover.drivers.docker.api;

import dev.drover.sdk.DroverException;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * HTTP/1.1 over the Engine's unix socket, one connection per request ({@code Connection: close}):
 * the JDK's HttpClient cannot dial a unix socket, and the Engine API needs only a small part of
 * HTTP (a request with an optional JSON body; a response framed by Content-Length, chunked, or the
 * end of the connection for hijacked streams). A request that asks for {@code Connection: Upgrade}
 * gets the connection both ways once the engine answers 101 ({@link Response#write},
 * {@link Response#closeWrite}). See docs/docker.md for why not docker-java.
 */
public final class DockerHttp {
    /** Closes connections whose deadline passed; a blocking UDS channel has no read timeout of its own. */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        var t = new Thread(r, "docker-http-deadline");
        t.setDaemon(true);
        return t;
    });

    private final String endpoint;
    private final Path socket;

    public DockerHttp(String endpoint) {
        this.endpoint = endpoint;
        this.socket = socketOf(endpoint);
    }

    /** {@code unix:///var/run/docker.sock} or a plain absolute path; anything else is refused by name. */
    static Path socketOf(String endpoint) {
        if (endpoint == null || endpoint.isBlank()) throw DroverException.invalid("docker endpoint is empty");
        if (endpoint.startsWith("unix://")) return Path.of(endpoint.substring("unix://".length()));
        if (endpoint.startsWith("/")) return Path.of(endpoint);
        throw DroverException.invalid("docker endpoint \"" + endpoint + "\": only unix sockets are supported"
                + " (unix:///path/to/docker.sock)");
    }

    public String endpoint() {
        return endpoint;
    }

    /** An open response; closing it closes the connection (and so aborts a stream). */
    public static final class Response implements AutoCloseable {
        private final int status;
        private final Map<String, String> headers;
        private final InputStream body;
        private final SocketChannel channel;
        private final ScheduledFuture<?> deadline;

        Response(int status, Map<String, String> headers, InputStream body, SocketChannel channel, ScheduledFuture<?> deadline) {
            this.status = status;
            this.headers = headers;
            this.body = body;
            this.channel = channel;
            this.deadline = deadline;
        }

        public int status() {
            return status;
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        public InputStream body() {
            return body;
        }

        public byte[] readAll() throws IOException {
            return body.readAllBytes();
        }

        /** On a hijacked (upgraded) connection: bytes to the engine, e.g. an exec's stdin. */
        public void write(byte[] bytes) throws IOException {
            writeFully(channel, bytes);
        }

        /** On a hijacked connection: the engine sees the end of input; the output keeps coming. */
        public void closeWrite() throws IOException {
            channel.shutdownOutput();
        }

        @Override
        public void close() {
            if (deadline != null) deadline.cancel(false);
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing a unix socket does not fail in a way we could act on
            }
        }
    }

    /**
     * Sends one request. {@code timeout} bounds the whole exchange including reading the body
     * (null: none, for follow-streams and waits); when it passes, the connection is closed and the
     * reader sees an IOException.
     */
    public Response send(String method, String pathAndQuery, Map<String, String> headers, byte[] body, Duration timeout) {
        SocketChannel channel;
        try {
            channel = SocketChannel.open(StandardProtocolFamily.UNIX);
            channel.connect(UnixDomainSocketAddress.of(socket));
        } catch (IOException e) {
            throw DroverException.unavailable("cannot reach the docker engine at " + endpoint + ": " + e.getMessage(), e);
        }
        ScheduledFuture<?> deadline = timeout == null ? null
                : WATCHDOG.schedule(() -> closeQuietly(channel), timeout.toMillis(), TimeUnit.MILLISECONDS);
        try {
            var head = new StringBuilder();
            head.append(method).append(' ').append(pathAndQuery).append(" HTTP/1.1\r\n")
                    .append("Host: docker\r\nUser-Agent: drover\r\n");
            if (headers == null || !headers.containsKey("Connection")) head.append("Connection: close\r\n");
            if (headers != null) headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            if (body != null) head.append("Content-Length: ").append(body.length).append("\r\n");
            head.append("\r\n");
            writeFully(channel, head.toString().getBytes(StandardCharsets.US_ASCII));
            if (body != null) writeFully(channel, body);
            var in = new BufferedInputStream(Channels.newInputStream(channel), 16 * 1024);
            String statusLine = readLine(in);
            if (statusLine == null || !statusLine.startsWith("HTTP/1.")) throw new IOException("bad status line: " + statusLine);
            int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
            var responseHeaders = new LinkedHashMap<String, String>();
            for (String line; (line = readLine(in)) != null && !line.isEmpty(); ) {
                int colon = line.indexOf(':');
                if (colon > 0) responseHeaders.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
            }
            InputStream bodyStream;
            if ("chunked".equalsIgnoreCase(responseHeaders.get("transfer-encoding"))) bodyStream = new ChunkedInputStream(in);
            else if (responseHeaders.containsKey("content-length")) bodyStream = new BoundedInputStream(in, Long.parseLong(responseHeaders.get("content-length")));
            else bodyStream = in; // hijacked stream or HTTP/1.0 style: until the connection closes
            return new Response(status, responseHeaders, bodyStream, channel, deadline);
        } catch (IOException | RuntimeException e) {
            if (deadline != null) deadline.cancel(false);
            closeQuietly(channel);
            if (e instanceof DroverException de) throw de;
            throw DroverException.unavailable("docker engine request " + method + " " + pathOnly(pathAndQuery)
                    + " failed: " + (timedOut(deadline) ? "timed out after " + timeout.toMillis() + " ms" : e.toString()), e);
        }
    }

    static boolean timedOut(ScheduledFuture<?> deadline) {
        return deadline != null && deadline.isDone() && !deadline.isCancelled();
    }

    private static String pathOnly(String pathAndQuery) {
        int q = pathAndQuery.indexOf('?');
        return q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    }

    private static void writeFully(SocketChannel channel, byte[] bytes) throws IOException {
        var buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) channel.write(buffer);
    }

    static String readLine(InputStream in) throws IOException {
        var line = new ByteArrayOutputStream(64);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') break;
            if (b != '\r') line.write(b);
        }
        if (b == -1 && line.size() == 0) return null;
        return line.toString(StandardCharsets.US_ASCII);
    }

    static void closeQuietly(SocketChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }

    /** A body of known length. */
    private static final class BoundedInputStream extends InputStream {
        private final InputStream in;
        private long left;

        BoundedInputStream(InputStream in, long length) {
            this.in = in;
            this.left = length;
        }

        @Override
        public int read() throws IOException {
            if (left <= 0) return -1;
            int b = in.read();
            if (b >= 0) left--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (left <= 0) return -1;
            int n = in.read(b, off, (int) Math.min(len, left));
            if (n > 0) left -= n;
            return n;
        }
    }

    /** Decodes {@code Transfer-Encoding: chunked}. */
    private static final class ChunkedInputStream extends InputStream {
        private final InputStream in;
        private long chunkLeft;
        private boolean eof;

        ChunkedInputStream(InputStream in) {
            this.in = in;
        }

        private boolean ensureChunk() throws IOException {
            if (eof) return false;
            if (chunkLeft > 0) return true;
            String size = readLine(in);
            if (size != null && size.isEmpty()) size = readLine(in); // CRLF that ended the previous chunk
            if (size == null) {
                eof = true;
                return false;
            }
            int semi = size.indexOf(';');
            chunkLeft = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
            if (chunkLeft == 0) {
                eof = true;
                return false;
            }
            return true;
        }

        @Override
        public int read() throws IOException {
            if (!ensureChunk()) return -1;
            int b = in.read();
            if (b < 0) {
                eof = true;
                return -1;
            }
            chunkLeft--;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) return 0;
            if (!ensureChunk()) return -1;
            int n = in.read(b, off, (int) Math.min(len, chunkLeft));
            if (n < 0) {
                eof = true;
                return -1;
            }
            chunkLeft -= n;
            return n;
        }

        @Override
        public int available() throws IOException {
            return eof ? 0 : (int) Math.min(chunkLeft, in.available());
        }
    }
}
