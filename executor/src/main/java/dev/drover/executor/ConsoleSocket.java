package dev.drover.executor;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * The listening end of an OCI runtime's {@code --console-socket}: the runtime creates the pty
 * inside the container and sends us its master over SCM_RIGHTS. The JDK's unix sockets cannot
 * carry file descriptors, so this is plain socket/accept/recvmsg through the foreign-function API.
 */
@SuppressWarnings("restricted") // native access is the point; JVMs run with --enable-native-access
final class ConsoleSocket implements AutoCloseable {
    private static final int AF_UNIX = 1, SOCK_STREAM = 1, SOCK_CLOEXEC = 02000000, SOL_SOCKET = 1, SCM_RIGHTS = 1;
    private static final int MSG_CMSG_CLOEXEC = 0x40000000;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final java.lang.foreign.AddressLayout PTR = ValueLayout.ADDRESS;
    private static final Linker.Option ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle SOCKET = fn("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle BIND = fn("bind", FunctionDescriptor.of(INT, INT, PTR, INT));
    private static final MethodHandle LISTEN = fn("listen", FunctionDescriptor.of(INT, INT, INT));
    private static final MethodHandle ACCEPT4 = fn("accept4", FunctionDescriptor.of(INT, INT, PTR, PTR, INT));
    private static final MethodHandle RECVMSG = fn("recvmsg", FunctionDescriptor.of(ValueLayout.JAVA_LONG, INT, PTR, INT));

    private static MethodHandle fn(String name, FunctionDescriptor fd) {
        var addr = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(addr, fd, ERRNO);
    }

    private final Path path;
    private final int fd;

    private ConsoleSocket(Path path, int fd) {
        this.path = path;
        this.fd = fd;
    }

    /** Binds and listens on {@code path} (at most 107 bytes, a sockaddr_un limit). */
    static ConsoleSocket listen(Path path) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > 107) throw new IllegalArgumentException("console socket path too long: " + path);
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            int fd = (int) SOCKET.invokeExact(state, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            if (fd < 0) throw new NativeException("socket(AF_UNIX)", LibC.errno(state));
            var addr = arena.allocate(110, 2); // struct sockaddr_un { short family; char path[108]; }
            addr.set(ValueLayout.JAVA_SHORT, 0, (short) AF_UNIX);
            MemorySegment.copy(name, 0, addr, ValueLayout.JAVA_BYTE, 2, name.length);
            if ((int) BIND.invokeExact(state, fd, addr, 110) < 0 || (int) LISTEN.invokeExact(state, fd, 1) < 0) {
                int errno = LibC.errno(state);
                Native.close(fd);
                throw new NativeException("bind/listen " + path, errno);
            }
            return new ConsoleSocket(path, fd);
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    Path path() {
        return path;
    }

    /**
     * Waits for the runtime to connect and send the master.
     *
     * @param waiting polled while nobody connected; false (the runtime exited) ends the wait
     * @return the pty master fd (close-on-exec), or -1 if the runtime never sent one
     */
    int receiveMaster(long timeoutMillis, BooleanSupplier waiting) {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!Native.pollReadable(fd, 50)) {
            if (!waiting.getAsBoolean() || System.currentTimeMillis() > deadline) return -1;
        }
        try (var arena = Arena.ofConfined()) {
            var state = arena.allocate(Linker.Option.captureStateLayout());
            int conn = (int) ACCEPT4.invokeExact(state, fd, MemorySegment.NULL, MemorySegment.NULL, SOCK_CLOEXEC);
            if (conn < 0) throw new NativeException("accept4", LibC.errno(state));
            try {
                // struct msghdr (64-bit): name, namelen, iov, iovlen, control, controllen, flags
                var data = arena.allocate(256);
                var iov = arena.allocate(16, 8);
                iov.set(PTR, 0, data);
                iov.set(ValueLayout.JAVA_LONG, 8, data.byteSize());
                var control = arena.allocate(64, 8);
                var msg = arena.allocate(56, 8);
                msg.set(PTR, 16, iov);
                msg.set(ValueLayout.JAVA_LONG, 24, 1L);
                msg.set(PTR, 32, control);
                msg.set(ValueLayout.JAVA_LONG, 40, control.byteSize());
                long n;
                do {
                    n = (long) RECVMSG.invokeExact(state, conn, msg, MSG_CMSG_CLOEXEC);
                } while (n < 0 && LibC.errno(state) == LibC.EINTR);
                if (n < 0) throw new NativeException("recvmsg", LibC.errno(state));
                // struct cmsghdr: size_t len; int level; int type; then the data (one int fd)
                long controlLength = msg.get(ValueLayout.JAVA_LONG, 40);
                if (controlLength < 20 || control.get(INT, 8) != SOL_SOCKET || control.get(INT, 12) != SCM_RIGHTS) return -1;
                return control.get(INT, 16);
            } finally {
                Native.close(conn);
            }
        } catch (Throwable t) {
            throw LibC.rethrow(t);
        }
    }

    @Override
    public void close() {
        Native.close(fd);
        try {
            Files.deleteIfExists(path);
        } catch (IOException ignored) {
            // a stale socket in our private dir is harmless
        }
    }
}
