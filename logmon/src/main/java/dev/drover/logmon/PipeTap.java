package dev.drover.logmon;

import dev.drover.sdk.nativ.NativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * The zero-copy path for output floods: complete lines go from the fifo's pipe into the log file
 * with splice(2), never through the JVM (reading and writing them costs two copies; splice one,
 * in the kernel). Where lines end is learnt without consuming the fifo: tee(2) duplicates its
 * content into a private pipe (page references, no copy), of which only the few KiB around the
 * cut are read; the rest is dropped into /dev/null.
 *
 * <p>Used by the copier thread only, while output floods in; {@link FileRotator#splice} decides
 * what to move. The fifo is opened once more, non-blocking: the copier still blocks in its
 * interruptible channel read when the pipe is empty, so stopping works as without a tap.
 */
final class PipeTap implements AutoCloseable {
    /** How many bytes around a cut are read to find a line's end. */
    static final int PEEK = 8 * 1024;
    /** The most taken from the pipe in one go; also the size asked for both pipes. */
    static final int CHUNK = 1 << 20;

    private static final int O_WRONLY = 01, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    private static final int F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int EAGAIN = 11, EINTR = 4;

    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = arena.allocate(Ffm.CAPTURE);
    private final MemorySegment offset = arena.allocate(ValueLayout.JAVA_LONG);
    private final MemorySegment peek = arena.allocate(PEEK, 8);
    private final ByteBuffer peeked = peek.asByteBuffer();
    private final int fifo;
    private final int scratchRead;
    private final int scratchWrite;
    private final int devNull;
    /** Bytes teed into the scratch pipe and not yet drained from it. */
    private int pending;

    private PipeTap(int fifo, int scratchRead, int scratchWrite, int devNull) {
        this.fifo = fifo;
        this.scratchRead = scratchRead;
        this.scratchWrite = scratchWrite;
        this.devNull = devNull;
    }

    /** Opens a tap on a fifo we already read (so opening it does not block) and grows its pipe. */
    static PipeTap open(Path fifo) throws IOException {
        int fd = -1, devNull = -1;
        int[] scratch = null;
        try {
            fd = open(fifo, O_NONBLOCK | O_CLOEXEC);
            devNull = open(Path.of("/dev/null"), O_WRONLY | O_CLOEXEC);
            scratch = pipe();
            // A 64 KiB pipe makes a fast writer and this reader take turns in small steps. The kernel
            // holds pages only for data waiting in a pipe, so a larger one costs nothing when drained.
            growPipe(fd, CHUNK);
            growPipe(scratch[1], CHUNK);
            return new PipeTap(fd, scratch[0], scratch[1], devNull);
        } catch (IOException | RuntimeException e) {
            closeQuietly(fd);
            closeQuietly(devNull);
            if (scratch != null) {
                closeQuietly(scratch[0]);
                closeQuietly(scratch[1]);
            }
            throw e;
        }
    }

    /** Duplicates what the fifo holds (up to {@link #CHUNK}); 0 when it is empty. */
    int tee() throws IOException {
        drop(pending);
        pending = 0;
        long n = call("tee", () -> (long) Ffm.Tee.H.invokeExact(state, fifo, scratchWrite, (long) CHUNK, SPLICE_F_NONBLOCK));
        if (n == -EAGAIN) return 0;
        if (n < 0) throw failure("tee", n);
        pending = (int) n;
        return pending;
    }

    /**
     * Of the {@code pending} teed bytes, reads {@code [from, to)} into {@link #peeked()} and drops
     * the rest. Returns how many were read ({@code to - from}).
     */
    int peek(int from, int to) throws IOException {
        int teed = pending;
        pending = 0;
        drop(from);
        int got = 0;
        while (got < to - from) {
            var into = peek.asSlice(got, to - from - got);
            long n = call("read", () -> (long) Ffm.Read.H.invokeExact(state, scratchRead, into, into.byteSize()));
            if (n <= 0) throw failure("read", n);
            got += (int) n;
        }
        drop(teed - to);
        return got;
    }

    /** The bytes read by the last {@link #peek}, from index 0. */
    ByteBuffer peeked() {
        return peeked;
    }

    /** Moves exactly {@code len} bytes from the fifo into {@code file} at {@code position}. */
    void moveTo(int file, long position, long len) throws IOException {
        offset.set(ValueLayout.JAVA_LONG, 0, position);
        long moved = 0;
        while (moved < len) {
            long want = len - moved;
            long n = call("splice", () -> (long) Ffm.Splice.H.invokeExact(state, fifo, MemorySegment.NULL, file, offset, want, 0));
            if (n <= 0) throw failure("splice to the log file", n); // the teed bytes are in the pipe: never 0
            moved += n;
        }
    }

    private void drop(int len) throws IOException {
        while (len > 0) {
            long want = len;
            long n = call("splice", () -> (long) Ffm.Splice.H.invokeExact(state, scratchRead, MemorySegment.NULL, devNull,
                    MemorySegment.NULL, want, SPLICE_F_NONBLOCK));
            if (n <= 0) throw failure("splice to /dev/null", n);
            len -= (int) n;
        }
    }

    @Override
    public void close() {
        closeQuietly(fifo);
        closeQuietly(scratchRead);
        closeQuietly(scratchWrite);
        closeQuietly(devNull);
        arena.close();
    }

    /** A write-only descriptor of a log file for {@link #moveTo}: splice refuses O_APPEND ones. */
    static int openFile(Path file) throws IOException {
        return open(file, O_WRONLY | O_CLOEXEC);
    }

    static void closeQuietly(int fd) {
        if (fd < 0) return;
        try (var arena = Arena.ofConfined()) {
            int ignored = (int) Ffm.Close.H.invokeExact(arena.allocate(Ffm.CAPTURE), fd);
        } catch (Throwable ignored) {
            // nothing to do about a failed close
        }
    }

    private static int open(Path path, int flags) throws IOException {
        try (var arena = Arena.ofConfined()) {
            var st = arena.allocate(Ffm.CAPTURE);
            int fd = (int) Ffm.Open.H.invokeExact(st, arena.allocateFrom(path.toString()), flags, 0);
            if (fd < 0) throw new IOException(new NativeException("open " + path, Ffm.errno(st)).getMessage());
            return fd;
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    private static int[] pipe() throws IOException {
        try (var arena = Arena.ofConfined()) {
            var st = arena.allocate(Ffm.CAPTURE);
            var fds = arena.allocate(ValueLayout.JAVA_INT, 2);
            int rc = (int) Ffm.Pipe2.H.invokeExact(st, fds, O_NONBLOCK | O_CLOEXEC);
            if (rc < 0) throw new IOException(new NativeException("pipe2", Ffm.errno(st)).getMessage());
            return new int[] {fds.getAtIndex(ValueLayout.JAVA_INT, 0), fds.getAtIndex(ValueLayout.JAVA_INT, 1)};
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }

    /** Best effort: a pipe stays at its size when the system refuses a larger one. */
    private static void growPipe(int fd, int bytes) {
        try (var arena = Arena.ofConfined()) {
            var st = arena.allocate(Ffm.CAPTURE);
            int size = (int) Ffm.Fcntl.H.invokeExact(st, fd, F_GETPIPE_SZ, 0);
            if (size >= 0 && size < bytes) {
                int ignored = (int) Ffm.Fcntl.H.invokeExact(st, fd, F_SETPIPE_SZ, bytes);
            }
        } catch (Throwable ignored) {
            // keep the default size
        }
    }

    private interface Syscall {
        long run() throws Throwable;
    }

    /** Runs a call that returns a byte count, retrying on EINTR; a failure comes back as -errno. */
    private long call(String what, Syscall syscall) throws IOException {
        while (true) {
            long n;
            try {
                n = syscall.run();
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(what, t);
            }
            if (n >= 0) return n;
            int errno = Ffm.errno(state);
            if (errno != EINTR) return -errno;
        }
    }

    private static IOException failure(String what, long n) {
        return new IOException(n == 0 ? what + ": unexpected end of data" : new NativeException(what, (int) -n).getMessage());
    }

    /** Downcall handles, made on first use: only a stream that floods ever needs them. */
    private static final class Ffm {
        static final Linker LINKER = Linker.nativeLinker();
        static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
        static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

        static int errno(MemorySegment state) {
            return (int) ERRNO.get(state, 0L);
        }

        static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... extra) {
            var options = new Linker.Option[extra.length + 1];
            System.arraycopy(extra, 0, options, 0, extra.length);
            options[extra.length] = Linker.Option.captureCallState("errno");
            var addr = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
            return LINKER.downcallHandle(addr, fd, options);
        }

        static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
        static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
        static final class Tee {
            static final MethodHandle H = fn("tee", FunctionDescriptor.of(LONG, INT, INT, LONG, INT));
        }
        static final class Splice {
            static final MethodHandle H = fn("splice", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, INT,
                    ValueLayout.ADDRESS, LONG, INT));
        }
        static final class Read {
            static final MethodHandle H = fn("read", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG));
        }
        static final class Open {
            static final MethodHandle H = fn("open", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT),
                    Linker.Option.firstVariadicArg(2));
        }
        static final class Close {
            static final MethodHandle H = fn("close", FunctionDescriptor.of(INT, INT));
        }
        static final class Pipe2 {
            static final MethodHandle H = fn("pipe2", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT));
        }
        static final class Fcntl {
            static final MethodHandle H = fn("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2));
        }
    }
}
