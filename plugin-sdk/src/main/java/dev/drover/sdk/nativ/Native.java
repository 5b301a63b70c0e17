package dev.drover.sdk.nativ;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Path;

/**
 * The few Linux system calls the JDK does not offer, called through the foreign-function API.
 * JVMs that use this must run with {@code --enable-native-access=ALL-UNNAMED}.
 *
 * <p>Every method throws {@link NativeException} carrying errno when the call fails, except where
 * a "no such process" answer is an expected outcome (see {@link #kill}). Pipe calls (tee, splice,
 * pipe sizes, epoll) are in {@link Pipes}.
 */
public final class Native {
    private Native() {}

    public static final int SIGKILL = 9;
    public static final int ESRCH = 3;
    public static final int EINTR = 4;
    public static final int EAGAIN = 11;
    public static final int EEXIST = 17;
    private static final int PR_SET_CHILD_SUBREAPER = 36;
    private static final int PR_SET_PDEATHSIG = 1;
    private static final int SYS_PIDFD_OPEN = 434;
    private static final int SYS_PIDFD_SEND_SIGNAL = 424;
    private static final short POLLIN = 0x1;
    private static final int WNOHANG = 1;

    private static final Linker LINKER = Linker.nativeLinker();
    static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    // One holder class per downcall handle, created on its first call: spinning a handle's stub and
    // LambdaForms costs start-up time and private class metadata, and a plugin JVM needs only a few
    // (PluginMain: setsid and prctl before its handshake). See bench/jvm/README.md.
    private static final class Errno {
        static final VarHandle H = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    }
    private static final class Setsid {
        static final MethodHandle H = fn("setsid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }
    private static final class Prctl {
        static final MethodHandle H = fn("prctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }
    private static final class Mkfifo {
        static final MethodHandle H = fn("mkfifo",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }
    private static final class Kill {
        static final MethodHandle H = fn("kill",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }
    private static final class Syscall3 {
        static final MethodHandle H = fn("syscall",
                FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
    }
    private static final class Poll {
        static final MethodHandle H = fn("poll",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    }
    private static final class Close {
        static final MethodHandle H = fn("close",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    }
    private static final class Waitpid {
        static final MethodHandle H = fn("waitpid",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    }
    private static final class Getpid {
        static final MethodHandle H = fn("getpid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }
    private static final class Geteuid {
        static final MethodHandle H = fn("geteuid", FunctionDescriptor.of(ValueLayout.JAVA_INT));
    }

    /** A downcall handle for libc's {@code name} that captures errno (state segment first). */
    static MethodHandle fn(String name, FunctionDescriptor fd, Linker.Option... extra) {
        var options = new Linker.Option[extra.length + 1];
        System.arraycopy(extra, 0, options, 0, extra.length);
        options[extra.length] = CAPTURE_ERRNO;
        var addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, options);
    }

    /** Starts a new session so that signals sent to the launcher's process group do not reach us. */
    public static void setsid() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int rc = (int) Setsid.H.invokeExact(state);
            if (rc < 0) throw error("setsid", state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Orphaned descendants are re-parented to us (and must be reaped by us) instead of PID 1. */
    public static void becomeChildSubreaper() {
        prctl(PR_SET_CHILD_SUBREAPER, 1);
    }

    /** Asks the kernel to send {@code signal} to this process when its parent thread dies. */
    public static void parentDeathSignal(int signal) {
        prctl(PR_SET_PDEATHSIG, signal);
    }

    private static void prctl(int option, long arg) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int rc = (int) Prctl.H.invokeExact(state, option, arg);
            if (rc < 0) throw error("prctl(" + option + ")", state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Creates a named pipe; an existing fifo at the path is fine. */
    public static void mkfifo(Path path, int mode) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int rc = (int) Mkfifo.H.invokeExact(state, arena.allocateFrom(path.toString()), mode);
            if (rc < 0) {
                int errno = errno(state);
                if (errno == EEXIST && isFifo(path)) return;
                throw new NativeException("mkfifo " + path, errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static boolean isFifo(Path path) {
        try {
            int mode = (int) java.nio.file.Files.getAttribute(path, "unix:mode");
            return (mode & 0170000) == 0010000;
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /**
     * Sends a signal. A negative pid addresses a process group.
     *
     * @return false when the target does not exist (ESRCH), true when the signal was sent
     */
    public static boolean kill(int pid, int signal) {
        if (pid == 0 || pid == -1) throw new IllegalArgumentException("refusing to signal pid " + pid);
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int rc = (int) Kill.H.invokeExact(state, pid, signal);
            if (rc == 0) return true;
            int errno = errno(state);
            if (errno == ESRCH) return false;
            throw new NativeException("kill(" + pid + ", " + signal + ")", errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Opens a pidfd: a handle that keeps naming this exact process even if its pid is reused. */
    public static int pidfdOpen(int pid) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            long rc = (long) Syscall3.H.invokeExact(state, (long) SYS_PIDFD_OPEN, (long) pid, 0L, 0L, 0L);
            if (rc < 0) throw error("pidfd_open(" + pid + ")", state);
            return (int) rc;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** Signals the process behind a pidfd; false when it has already exited. */
    public static boolean pidfdSendSignal(int pidfd, int signal) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            long rc = (long) Syscall3.H.invokeExact(state, (long) SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, 0L, 0L);
            if (rc == 0) return true;
            int errno = errno(state);
            if (errno == ESRCH) return false;
            throw new NativeException("pidfd_send_signal", errno);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Waits until the fd becomes readable (for a pidfd: the process exited).
     *
     * @return true when readable, false on timeout
     */
    public static boolean pollReadable(int fd, int timeoutMillis) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var pfd = arena.allocate(8);
            pfd.set(ValueLayout.JAVA_INT, 0, fd);
            pfd.set(ValueLayout.JAVA_SHORT, 4, POLLIN);
            while (true) {
                int rc = (int) Poll.H.invokeExact(state, pfd, 1L, timeoutMillis);
                if (rc > 0) return true;
                if (rc == 0) return false;
                int errno = errno(state);
                if (errno != EINTR) throw new NativeException("poll", errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static void close(int fd) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int rc = (int) Close.H.invokeExact(state, fd);
            if (rc < 0) throw error("close", state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /**
     * Reaps a child (which may be a re-parented orphan) without blocking.
     *
     * @return the raw wait status, or -1 if the child has not exited (or is not ours)
     */
    public static int reap(int pid) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var status = arena.allocate(ValueLayout.JAVA_INT);
            int rc = (int) Waitpid.H.invokeExact(state, pid, status, WNOHANG);
            return rc == pid ? status.get(ValueLayout.JAVA_INT, 0) : -1;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static int getpid() {
        try (var arena = Arena.ofConfined()) {
            return (int) Getpid.H.invokeExact(arena.allocate(CAPTURE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    public static boolean isRoot() {
        try (var arena = Arena.ofConfined()) {
            return (int) Geteuid.H.invokeExact(arena.allocate(CAPTURE)) == 0;
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int errno(MemorySegment state) {
        return (int) Errno.H.get(state, 0L);
    }

    static NativeException error(String what, MemorySegment state) {
        return new NativeException(what, errno(state));
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
