package dev.drover.executor;

import dev.drover.sdk.nativ.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * Pseudo-terminals through the foreign-function API: a master from {@code posix_openpt}, the slave's
 * path for the child to open, window size with {@code TIOCSWINSZ}, and a full write for the master
 * (and pipes). A library (pty4j) would spawn the child itself, outside our cgroup placement and
 * user switch, so the executor keeps its own spawner and only needs these few calls.
 */
@SuppressWarnings("restricted") // native access is the point; JVMs run with --enable-native-access
final class Pty {
    private Pty() {}

    private static final int TIOCSWINSZ = 0x5414;
    private static final int EIO = 5, EPIPE = 32;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPENPT = fn("posix_openpt", FunctionDescriptor.of(INT, INT), ERRNO);
    private static final MethodHandle GRANTPT = fn("grantpt", FunctionDescriptor.of(INT, INT), ERRNO);
    private static final MethodHandle UNLOCKPT = fn("unlockpt", FunctionDescriptor.of(INT, INT), ERRNO);
    private static final MethodHandle PTSNAME_R = fn("ptsname_r", FunctionDescriptor.of(INT, INT, PTR, LONG));
    private static final MethodHandle IOCTL = fn("ioctl", FunctionDescriptor.of(INT, INT, LONG, PTR),
            Linker.Option.firstVariadicArg(2), ERRNO);
    private static final MethodHandle WRITE = fn("write", FunctionDescriptor.of(LONG, INT, PTR, LONG), ERRNO);

    private static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... options) {
        var addr = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, options);
    }

    /** A master fd (ours, close-on-exec) and the path of its slave (for the child to open). */
    record Pair(int master, String slave) {}

    static Pair open() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            int master = (int) OPENPT.invokeExact(state, LibC.O_RDWR | 0400 /* O_NOCTTY */ | LibC.O_CLOEXEC);
            if (master < 0) throw new NativeException("posix_openpt", LibC.errno(state));
            try {
                if ((int) GRANTPT.invokeExact(state, master) < 0) throw new NativeException("grantpt", LibC.errno(state));
                if ((int) UNLOCKPT.invokeExact(state, master) < 0) throw new NativeException("unlockpt", LibC.errno(state));
                var buf = arena.allocate(128);
                int rc = (int) PTSNAME_R.invokeExact(master, buf, buf.byteSize());
                if (rc != 0) throw new NativeException("ptsname_r", rc);
                return new Pair(master, buf.getString(0));
            } catch (RuntimeException e) {
                dev.drover.sdk.nativ.Native.close(master);
                throw e;
            }
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /** Sets the terminal's size; the kernel sends SIGWINCH to its foreground process group. */
    static void resize(int fd, int rows, int cols) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            var ws = arena.allocate(8, 2); // struct winsize { rows, cols, xpixel, ypixel } of shorts
            ws.set(ValueLayout.JAVA_SHORT, 0, (short) rows);
            ws.set(ValueLayout.JAVA_SHORT, 2, (short) cols);
            if ((int) IOCTL.invokeExact(state, fd, (long) TIOCSWINSZ, ws) < 0) {
                throw new NativeException("ioctl(TIOCSWINSZ)", LibC.errno(state));
            }
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    /**
     * Writes all of {@code data}; blocks while the reader is slow. Call from a platform thread.
     *
     * @return false when the other end is gone (EPIPE on a pipe, EIO on a hung-up pty)
     */
    static boolean write(int fd, byte[] data) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            var buf = arena.allocateFrom(ValueLayout.JAVA_BYTE, data);
            long off = 0;
            while (off < data.length) {
                long n = (long) WRITE.invokeExact(state, fd, buf.asSlice(off), (long) data.length - off);
                if (n >= 0) {
                    off += n;
                    continue;
                }
                int errno = LibC.errno(state);
                if (errno == LibC.EINTR) continue;
                if (errno == EPIPE || errno == EIO) return false;
                if (errno == LibC.EAGAIN) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000); // a non-blocking fd is full
                    continue;
                }
                throw new NativeException("write", errno);
            }
            return true;
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }
}
