package dev.drover.sdk.nativ;

import static dev.drover.sdk.nativ.Native.CAPTURE;
import static dev.drover.sdk.nativ.Native.EAGAIN;
import static dev.drover.sdk.nativ.Native.EINTR;
import static dev.drover.sdk.nativ.Native.errno;
import static dev.drover.sdk.nativ.Native.error;
import static dev.drover.sdk.nativ.Native.fn;
import static dev.drover.sdk.nativ.Native.rethrow;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The pipe side of {@link Native}: descriptors opened by path, pipe2, tee(2) and splice(2) (moving
 * pipe contents without consuming them, or into a file at an explicit offset), pipe sizes, and
 * waiting on pipes (poll, edge-triggered epoll, an eventfd to wake a waiter). Same rules as
 * {@link Native}: a failure throws {@link NativeException} with errno, EINTR is retried, and
 * "nothing there now" (EAGAIN on non-blocking descriptors) is an answer, not an error.
 */
public final class Pipes {
    private Pipes() {}

    public static final int O_RDONLY = 0, O_WRONLY = 01, O_RDWR = 02, O_CREAT = 0100, O_NONBLOCK = 04000, O_CLOEXEC = 02000000;
    public static final int EBUSY = 16, EPERM = 1;
    public static final short POLLIN = 0x1, POLLOUT = 0x4, POLLERR = 0x8, POLLHUP = 0x10;
    public static final int EPOLLET = 1 << 31;
    /** tee/splice: never wait for data or for room. */
    private static final int SPLICE_F_NONBLOCK = 2;
    private static final int F_SETPIPE_SZ = 1031, F_GETPIPE_SZ = 1032;
    private static final int EPOLL_CTL_ADD = 1;
    /** struct epoll_event is packed on x86-64 (12 bytes), naturally aligned (16) elsewhere. */
    private static final boolean PACKED_EPOLL = System.getProperty("os.arch").matches("amd64|x86_64");
    private static final long EPOLL_EVENT_SIZE = PACKED_EPOLL ? 12 : 16, EPOLL_DATA_OFFSET = PACKED_EPOLL ? 4 : 8;
    private static final ValueLayout.OfLong DATA = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;

    /**
     * Per-thread memory for the calls made on every window of a copy (tee, splice, read, poll,
     * epoll_wait): errno capture, the splice offset, poll and epoll records. A confined arena per
     * call costs an allocation and a free each time, which shows at a few thousand calls a second.
     */
    private record Scratch(MemorySegment state, MemorySegment offset, MemorySegment pollfd, MemorySegment events) {}

    private static final int MAX_EVENTS = 8;
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(() -> {
        var arena = Arena.ofAuto();
        return new Scratch(arena.allocate(CAPTURE), arena.allocate(LONG), arena.allocate(8, 8),
                arena.allocate(EPOLL_EVENT_SIZE * MAX_EVENTS, 8));
    });

    private static final class Open3 {
        static final MethodHandle H = fn("open", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT, INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class Pipe2 {
        static final MethodHandle H = fn("pipe2", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, INT));
    }
    private static final class Tee {
        static final MethodHandle H = fn("tee", FunctionDescriptor.of(LONG, INT, INT, LONG, INT));
    }
    private static final class Splice {
        static final MethodHandle H = fn("splice", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, INT, ValueLayout.ADDRESS, LONG, INT));
    }
    private static final class Read {
        static final MethodHandle H = fn("read", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG));
    }
    private static final class Write {
        static final MethodHandle H = fn("write", FunctionDescriptor.of(LONG, INT, ValueLayout.ADDRESS, LONG));
    }
    private static final class Fcntl {
        static final MethodHandle H = fn("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2));
    }
    private static final class Poll {
        static final MethodHandle H = fn("poll", FunctionDescriptor.of(INT, ValueLayout.ADDRESS, LONG, INT));
    }
    private static final class Eventfd {
        static final MethodHandle H = fn("eventfd", FunctionDescriptor.of(INT, INT, INT));
    }
    private static final class EpollCreate1 {
        static final MethodHandle H = fn("epoll_create1", FunctionDescriptor.of(INT, INT));
    }
    private static final class EpollCtl {
        static final MethodHandle H = fn("epoll_ctl", FunctionDescriptor.of(INT, INT, INT, INT, ValueLayout.ADDRESS));
    }
    private static final class EpollWait {
        static final MethodHandle H = fn("epoll_wait", FunctionDescriptor.of(INT, INT, ValueLayout.ADDRESS, INT, INT));
    }

    /** open(2) with a mode (for O_CREAT); the descriptor is the caller's to {@link Native#close}. */
    public static int open(Path path, int flags, int mode) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var name = arena.allocateFrom(path.toString());
            while (true) {
                int fd = (int) Open3.H.invokeExact(state, name, flags, mode);
                if (fd >= 0) return fd;
                if (errno(state) != EINTR) throw error("open " + path, state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A new pipe, both ends non-blocking and close-on-exec: {@code {read end, write end}}. */
    public static int[] pipe() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var fds = arena.allocate(INT, 2);
            int rc = (int) Pipe2.H.invokeExact(state, fds, O_NONBLOCK | O_CLOEXEC);
            if (rc < 0) throw error("pipe2", state);
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Duplicates up to {@code len} bytes from the head of pipe {@code in} into pipe {@code out}
     * without consuming them (page references, no copy). Never waits.
     *
     * @return the bytes duplicated; 0 when {@code in} is empty and has no writer left (end of
     *     file); -1 when {@code in} is empty (or {@code out} full) for now
     */
    public static long tee(int in, int out, long len) {
        var state = SCRATCH.get().state();
        try {
            while (true) {
                long n = (long) Tee.H.invokeExact(state, in, out, len, SPLICE_F_NONBLOCK);
                if (n >= 0) return n;
                int errno = errno(state);
                if (errno == EAGAIN) return -1;
                if (errno != EINTR) throw new NativeException("tee", errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Moves up to {@code len} bytes from the head of pipe {@code in} to {@code out}: consumed from
     * the pipe exactly as far as {@code out} took them. With {@code outOffset >= 0}, {@code out} is
     * a file written at that offset (its own position untouched; it must not be O_APPEND). Never
     * waits for data; a file system may still block as a write(2) would.
     *
     * @return the bytes moved (may be fewer than {@code len}); 0 at end of file; -1 when the pipe
     *     is empty for now
     */
    public static long splice(int in, int out, long outOffset, long len) {
        var scratch = SCRATCH.get();
        var state = scratch.state();
        try {
            MemorySegment offset = MemorySegment.NULL;
            if (outOffset >= 0) {
                offset = scratch.offset();
                offset.set(LONG, 0, outOffset);
            }
            while (true) {
                long n = (long) Splice.H.invokeExact(state, in, MemorySegment.NULL, out, offset, len, SPLICE_F_NONBLOCK);
                if (n >= 0) return n;
                int errno = errno(state);
                if (errno == EAGAIN) return -1;
                if (errno != EINTR) throw new NativeException("splice", errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** read(2) into native memory: bytes read, 0 at end of file, -1 when nothing is there for now. */
    public static long read(int fd, MemorySegment into) {
        var state = SCRATCH.get().state();
        try {
            while (true) {
                long n = (long) Read.H.invokeExact(state, fd, into, into.byteSize());
                if (n >= 0) return n;
                int errno = errno(state);
                if (errno == EAGAIN) return -1;
                if (errno != EINTR) throw new NativeException("read", errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** The capacity of the pipe behind {@code fd} in bytes (F_GETPIPE_SZ). */
    public static int pipeSize(int fd) {
        var state = SCRATCH.get().state();
        try {
            int size = (int) Fcntl.H.invokeExact(state, fd, F_GETPIPE_SZ, 0);
            if (size < 0) throw error("fcntl(F_GETPIPE_SZ)", state);
            return size;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Sets the pipe's capacity (F_SETPIPE_SZ; the kernel rounds up to a power of two pages) and
     * returns it. Fails with EPERM beyond {@code /proc/sys/fs/pipe-max-size} without
     * CAP_SYS_RESOURCE, and with EBUSY when shrinking below what the pipe holds.
     */
    public static int resizePipe(int fd, int bytes) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int size = (int) Fcntl.H.invokeExact(state, fd, F_SETPIPE_SZ, bytes);
            if (size < 0) throw error("fcntl(F_SETPIPE_SZ, " + bytes + ")", state);
            return size;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** poll(2) on one descriptor: the returned events ({@link #POLLIN}, {@link #POLLHUP}…), 0 on timeout. */
    public static short poll(int fd, short events, int timeoutMillis) {
        var scratch = SCRATCH.get();
        var state = scratch.state();
        try {
            var pfd = scratch.pollfd();
            pfd.set(INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, events);
            while (true) {
                int rc = (int) Poll.H.invokeExact(state, pfd, 1L, timeoutMillis);
                if (rc > 0) return pfd.get(ValueLayout.JAVA_SHORT, 6);
                if (rc == 0) return 0;
                if (errno(state) != EINTR) throw error("poll", state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A non-blocking, close-on-exec eventfd: {@link #signal} makes it readable. */
    public static int eventfd() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int fd = (int) Eventfd.H.invokeExact(state, 0, O_NONBLOCK | O_CLOEXEC);
            if (fd < 0) throw error("eventfd", state);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Adds 1 to an eventfd's counter, waking whoever waits on it. */
    public static void signal(int eventfd) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var one = arena.allocate(LONG);
            one.set(LONG, 0, 1L);
            while (true) {
                long n = (long) Write.H.invokeExact(state, eventfd, one, 8L);
                if (n == 8 || errno(state) == EAGAIN) return; // EAGAIN: the counter is saturated, it is readable anyway
                if (errno(state) != EINTR) throw error("write(eventfd)", state);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A close-on-exec epoll instance. */
    public static int epollCreate() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int fd = (int) EpollCreate1.H.invokeExact(state, O_CLOEXEC);
            if (fd < 0) throw error("epoll_create1", state);
            return fd;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Watches {@code fd} for {@code events} (e.g. {@code POLLIN | EPOLLET}); {@link #epollWait} reports it as {@code tag}. */
    public static void epollAdd(int epfd, int fd, int events, long tag) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var event = arena.allocate(EPOLL_EVENT_SIZE, 8);
            event.set(INT, 0, events);
            event.set(DATA, EPOLL_DATA_OFFSET, tag);
            int rc = (int) EpollCtl.H.invokeExact(state, epfd, EPOLL_CTL_ADD, fd, event);
            if (rc < 0) throw error("epoll_ctl(ADD, " + fd + ")", state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Waits up to {@code timeoutMillis} (-1: no limit) for the watched descriptors.
     *
     * @return the OR of {@code 1 << tag} over the ready ones (tags must be 0..31); 0 on timeout or
     *     when a signal interrupted the wait
     */
    public static int epollWait(int epfd, int timeoutMillis) {
        var scratch = SCRATCH.get();
        var state = scratch.state();
        try {
            var events = scratch.events();
            int n = (int) EpollWait.H.invokeExact(state, epfd, events, MAX_EVENTS, timeoutMillis);
            if (n < 0) {
                if (errno(state) == EINTR) return 0;
                throw error("epoll_wait", state);
            }
            int tags = 0;
            for (int i = 0; i < n; i++) tags |= 1 << events.get(DATA, i * EPOLL_EVENT_SIZE + EPOLL_DATA_OFFSET);
            return tags;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }
}
