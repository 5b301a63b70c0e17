package dev.drover.logmon;

import dev.drover.logmon.FileRotator.Drain;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.Pipes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A {@link FileRotator} fed through a real fifo, step by step as the copier feeds it: each
 * {@link #write} puts bytes into the fifo and drains what the window then shows (complete lines go
 * to the files, a partial line stays in the fifo); {@link #close} ends the stream as EOF does
 * (the held partial line is written) and closes the rotator.
 */
final class PipeFeed implements AutoCloseable {
    /** Pieces written at once: with a 1 MiB pipe, a write never blocks on a held partial line. */
    private static final int PIECE = 64 * 1024;

    private final FileRotator rotator;
    private final int reader;
    private final FileChannel writer;
    private final FifoWindow window;

    private PipeFeed(FileRotator rotator, int reader, FileChannel writer) {
        this.rotator = rotator;
        this.reader = reader;
        this.writer = writer;
        this.window = new FifoWindow(reader, FifoCopier.LARGE_READ);
    }

    /** Feeds {@code rotator} through a new fifo at {@code fifo}. */
    static PipeFeed of(FileRotator rotator, Path fifo) throws IOException {
        Native.mkfifo(fifo, 0600);
        int reader = Pipes.open(fifo, Pipes.O_RDONLY | Pipes.O_NONBLOCK | Pipes.O_CLOEXEC, 0);
        Pipes.resizePipe(reader, 1 << 20);
        return new PipeFeed(rotator, reader, FileChannel.open(fifo, StandardOpenOption.READ, StandardOpenOption.WRITE));
    }

    FileRotator rotator() {
        return rotator;
    }

    void write(String s) throws IOException {
        write(s.getBytes(StandardCharsets.UTF_8));
    }

    void write(byte[] data) throws IOException {
        write(data, 0, data.length);
    }

    /** Writes in pieces, draining after each; throws the first write failure the rotator reported. */
    void write(byte[] data, int off, int len) throws IOException {
        IOException failure = null;
        while (len > 0) {
            int n = Math.min(len, PIECE);
            var b = ByteBuffer.wrap(data, off, n);
            while (b.hasRemaining()) writer.write(b);
            off += n;
            len -= n;
            IOException f = drain(Drain.HOLD);
            if (failure == null) failure = f;
        }
        if (failure != null) throw failure;
    }

    /** Drains until only a held partial line is left (or nothing). */
    private IOException drain(Drain mode) throws IOException {
        IOException failure = null;
        do {
            if (window.peek(rotator.held()) <= 0) break;
            try {
                rotator.drain(window, mode);
            } catch (IOException e) {
                if (failure == null) failure = e;
            }
        } while (!window.sawAll());
        return failure;
    }

    /** Ends the stream: the held partial line is written, the rotator closed. */
    @Override
    public void close() throws IOException {
        try {
            IOException failure = drain(Drain.FLUSH);
            if (failure != null) throw failure;
        } finally {
            rotator.close();
            window.close();
            writer.close();
            Native.close(reader);
        }
    }
}
