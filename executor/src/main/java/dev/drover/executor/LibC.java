package dev.drover.executor;

import dev.drover.sdk.nativ.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls the executor needs beyond {@link dev.drover.sdk.nativ.Native}: process spawning,
 * exact wait statuses, raw file descriptors and user lookup. Linux/glibc (x86-64 and arm64 share
 * these layouts). Kept here until they earn a place in the SDK.
 */
@SuppressWarnings("restricted") // native access is the point of this class; JVMs run with --enable-native-access
final class LibC {
    private LibC() {}

    static final int O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100, O_APPEND = 02000, O_NONBLOCK = 04000,
            O_CLOEXEC = 02000000;
    static final int ENOENT = 2, EINTR = 4, ENXIO = 6, ECHILD = 10, EAGAIN = 11, EACCES = 13, ERANGE = 34;
    static final short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08, POSIX_SPAWN_SETSID = 0x80;
    static final int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3;
    private static final int F_GETFL = 3, F_SETFL = 4, P_PID = 1, WEXITED = 4, WNOWAIT = 0x01000000;
    private static final int SC_CLK_TCK = 2, SC_PAGESIZE = 30;

    /** glibc's posix_spawnattr_t is 336 bytes, file actions 80, sigset_t 128, siginfo_t 128: round up. */
    static final long SPAWNATTR_SIZE = 512, FILE_ACTIONS_SIZE = 256, SIGSET_SIZE = 128, SIGINFO_SIZE = 128;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;

    // posix_spawn and friends return an error number instead of setting errno.
    static final MethodHandle POSIX_SPAWN = plain("posix_spawn", FunctionDescriptor.of(INT, PTR, PTR, PTR, PTR, PTR, PTR));
    static final MethodHandle FA_INIT = plain("posix_spawn_file_actions_init", FunctionDescriptor.of(INT, PTR));
    static final MethodHandle FA_DESTROY = plain("posix_spawn_file_actions_destroy", FunctionDescriptor.of(INT, PTR));
    static final MethodHandle FA_DUP2 = plain("posix_spawn_file_actions_adddup2", FunctionDescriptor.of(INT, PTR, INT, INT));
    static final MethodHandle FA_OPEN = plain("posix_spawn_file_actions_addopen", FunctionDescriptor.of(INT, PTR, INT, PTR, INT, INT));
    static final MethodHandle FA_CLOSE = plain("posix_spawn_file_actions_addclose", FunctionDescriptor.of(INT, PTR, INT));
    static final MethodHandle FA_CLOSEFROM = plain("posix_spawn_file_actions_addclosefrom_np", FunctionDescriptor.of(INT, PTR, INT));
    static final MethodHandle FA_CHDIR = plain("posix_spawn_file_actions_addchdir_np", FunctionDescriptor.of(INT, PTR, PTR));
    static final MethodHandle ATTR_INIT = plain("posix_spawnattr_init", FunctionDescriptor.of(INT, PTR));
    static final MethodHandle ATTR_DESTROY = plain("posix_spawnattr_destroy", FunctionDescriptor.of(INT, PTR));
    static final MethodHandle ATTR_FLAGS = plain("posix_spawnattr_setflags", FunctionDescriptor.of(INT, PTR, ValueLayout.JAVA_SHORT));
    static final MethodHandle ATTR_SIGMASK = plain("posix_spawnattr_setsigmask", FunctionDescriptor.of(INT, PTR, PTR));
    static final MethodHandle ATTR_SIGDEFAULT = plain("posix_spawnattr_setsigdefault", FunctionDescriptor.of(INT, PTR, PTR));
    static final MethodHandle SIGEMPTYSET = plain("sigemptyset", FunctionDescriptor.of(INT, PTR));
    static final MethodHandle SIGFILLSET = plain("sigfillset", FunctionDescriptor.of(INT, PTR));

    private static final MethodHandle WAITID = withErrno("waitid", FunctionDescriptor.of(INT, INT, INT, PTR, INT));
    private static final MethodHandle OPEN = withErrno("open", FunctionDescriptor.of(INT, PTR, INT, INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle FCNTL = withErrno("fcntl", FunctionDescriptor.of(INT, INT, INT, INT), Linker.Option.firstVariadicArg(2));
    private static final MethodHandle READ = withErrno("read", FunctionDescriptor.of(LONG, INT, PTR, LONG));
    private static final MethodHandle PIPE2 = withErrno("pipe2", FunctionDescriptor.of(INT, PTR, INT));
    private static final MethodHandle GETTID = withErrno("gettid", FunctionDescriptor.of(INT));
    private static final MethodHandle GETEUID = withErrno("geteuid", FunctionDescriptor.of(INT));
    private static final MethodHandle SYSCONF = withErrno("sysconf", FunctionDescriptor.of(LONG, INT));
    private static final MethodHandle GETPWNAM_R = plain("getpwnam_r", FunctionDescriptor.of(INT, PTR, PTR, PTR, LONG, PTR));
    private static final MethodHandle STRERROR = plain("strerror", FunctionDescriptor.of(PTR, INT));

    static final long CLOCK_TICKS = sysconf(SC_CLK_TCK);
    static final long PAGE_SIZE = sysconf(SC_PAGESIZE);

    private static MethodHandle plain(String name, FunctionDescriptor fd, Linker.Option... options) {
        var addr = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name + " (glibc 2.34 or newer is required)"));
        return LINKER.downcallHandle(addr, fd, options);
    }

    private static MethodHandle withErrno(String name, FunctionDescriptor fd, Linker.Option... extra) {
        var options = java.util.Arrays.copyOf(extra, extra.length + 1);
        options[extra.length] = Linker.Option.captureCallState("errno");
        return plain(name, fd, options);
    }

    /** How a child ended, straight from waitid: no guessing between "exit 137" and SIGKILL. */
    record WaitStatus(int exitCode, int signal) {
        static WaitStatus of(int code, int status) {
            return code == CLD_EXITED ? new WaitStatus(status, 0) : new WaitStatus(128 + status, status);
        }
    }

    /** Blocks until child {@code pid} exits and reaps it. Call from a platform thread. */
    static WaitStatus waitExit(int pid) {
        return waitExit(pid, true);
    }

    /**
     * Blocks until child {@code pid} exits. With {@code reap} false the child stays a zombie, which
     * keeps its pid (and so its process group id) reserved until a later reaping call.
     */
    static WaitStatus waitExit(int pid, boolean reap) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var info = arena.allocate(SIGINFO_SIZE, 8);
            while (true) {
                int rc = (int) WAITID.invokeExact(state, P_PID, pid, info, WEXITED | (reap ? 0 : WNOWAIT));
                if (rc == 0) return WaitStatus.of(info.get(INT, 8), info.get(INT, 24));
                int errno = errno(state);
                if (errno != EINTR) throw new NativeException("waitid(" + pid + ")", errno);
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return the fd, or -errno */
    static int open(String path, int flags, int mode) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags, mode);
            return fd >= 0 ? fd : -errno(state);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static void clearNonBlocking(int fd) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            int flags = (int) FCNTL.invokeExact(state, fd, F_GETFL, 0);
            if (flags < 0 || (int) FCNTL.invokeExact(state, fd, F_SETFL, flags & ~O_NONBLOCK) < 0) {
                throw new NativeException("fcntl(" + fd + ")", errno(state));
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return bytes read into {@code buf}, 0 at end of file */
    static int read(int fd, MemorySegment buf) {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            while (true) {
                long n = (long) READ.invokeExact(state, fd, buf, buf.byteSize());
                if (n >= 0) return (int) n;
                int errno = errno(state);
                if (errno != EINTR && errno != EAGAIN) throw new NativeException("read", errno);
                if (errno == EAGAIN) return -1;
            }
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** @return {read end, write end}, both close-on-exec */
    static int[] pipe() {
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(CAPTURE);
            var fds = arena.allocate(INT, 2);
            if ((int) PIPE2.invokeExact(state, fds, O_CLOEXEC) < 0) throw new NativeException("pipe2", errno(state));
            return new int[] {fds.getAtIndex(INT, 0), fds.getAtIndex(INT, 1)};
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int gettid() {
        try (var arena = Arena.ofConfined()) {
            return (int) GETTID.invokeExact(arena.allocate(CAPTURE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static int geteuid() {
        try (var arena = Arena.ofConfined()) {
            return (int) GETEUID.invokeExact(arena.allocate(CAPTURE));
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    private static long sysconf(int name) {
        try (var arena = Arena.ofConfined()) {
            return (long) SYSCONF.invokeExact(arena.allocate(CAPTURE), name);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    /** A user from the passwd database (NSS-aware, unlike reading /etc/passwd). */
    record Passwd(String name, int uid, int gid, String home) {}

    static java.util.Optional<Passwd> getpwnam(String name) {
        try (var arena = Arena.ofConfined()) {
            var pwd = arena.allocate(48, 8);
            var result = arena.allocate(PTR);
            for (long size = 4096; size <= 1 << 20; size *= 4) {
                var buf = arena.allocate(size);
                int rc = (int) GETPWNAM_R.invokeExact(arena.allocateFrom(name), pwd, buf, size, result);
                if (rc == ERANGE) continue;
                if (rc != 0) throw new NativeException("getpwnam_r(" + name + ")", rc);
                if (result.get(PTR, 0).equals(MemorySegment.NULL)) return java.util.Optional.empty();
                String home = pwd.get(PTR, 32).reinterpret(4096).getString(0);
                return java.util.Optional.of(new Passwd(name, pwd.get(INT, 16), pwd.get(INT, 20), home));
            }
            throw new NativeException("getpwnam_r(" + name + ")", ERANGE);
        } catch (Throwable t) {
            throw rethrow(t);
        }
    }

    static String strerror(int errno) {
        try {
            var msg = (MemorySegment) STRERROR.invokeExact(errno);
            return msg.reinterpret(256).getString(0).toLowerCase(java.util.Locale.ROOT);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }

    static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    static RuntimeException rethrow(Throwable t) {
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error e) throw e;
        return new IllegalStateException(t);
    }
}
