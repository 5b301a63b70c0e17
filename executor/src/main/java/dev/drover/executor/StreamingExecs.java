package dev.drover.executor;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Starts interactive execs for both executors and hands them to {@link InteractiveExec}.
 * <ul>
 *   <li>host (universal): we open the pty ourselves; the child, a new session's leader, opens the
 *       slave as its controlling terminal; without a TTY, three pipes;
 *   <li>container (isolated): {@code <runtime> exec --tty --console-socket S} makes the pty inside
 *       the container and sends us the master over S; without a TTY the runtime passes our pipes
 *       through. The runtime waits for the command and exits with its code.
 * </ul>
 */
final class StreamingExecs {
    private StreamingExecs() {}

    private static final long CONSOLE_TIMEOUT_MILLIS = 30_000;

    /** A shell on a terminal wants TERM; the task's own value wins. */
    static Map<String, String> withTerm(Map<String, String> env, boolean tty) {
        if (!tty || env.containsKey("TERM")) return env;
        var copy = new TreeMap<>(env);
        copy.put("TERM", "xterm");
        return copy;
    }

    static int onHost(Spawner spawner, TaskCommand command, Map<String, String> env, TaskCgroup cgroup, boolean tty,
                      ExecStream stream, InteractiveExec.Registry registry, String session, String what) {
        try {
            if (tty) {
                var pty = Pty.open();
                int pid;
                try {
                    Pty.resize(pty.master(), 24, 80); // until the caller says otherwise
                    pid = spawner.spawn(new Spawner.Request(command.executable(), command.argv(), withTerm(env, true),
                            command.cwd(), -1, -1, -1, pty.slave()), SessionOps.joinCgroupIfPresent(cgroup));
                } catch (RuntimeException e) {
                    Native.close(pty.master());
                    throw e;
                }
                return InteractiveExec.relay(InteractiveExec.Ends.tty(pty.master(), -1), pid,
                        () -> InteractiveExec.killSession(pid), stream, registry, session);
            }
            int[] in = LibC.pipe(), out = LibC.pipe(), err = LibC.pipe();
            int pid;
            try {
                pid = spawner.spawn(new Spawner.Request(command.executable(), command.argv(), env, command.cwd(),
                        out[1], err[1], in[0], null), SessionOps.joinCgroupIfPresent(cgroup));
            } catch (RuntimeException e) {
                closeAll(in[1], out[0], err[0]);
                throw e;
            } finally {
                closeAll(in[0], out[1], err[1]); // the child has its copies
            }
            return InteractiveExec.relay(InteractiveExec.Ends.pipes(in[1], out[0], err[0]), pid,
                    () -> InteractiveExec.killSession(pid), stream, registry, session);
        } catch (NativeException e) {
            throw SessionOps.spawnError(what, e);
        }
    }

    /**
     * @param runtimeArgv builds the runtime's exec command line from the console socket (null
     *                    without a TTY) and the pid file it should write the command's host pid to
     * @param own         null, or the cgroup the runtime runs the command in: killed and removed
     *                    when the exec ends, so nothing the command started outlives it
     */
    static int inContainer(Spawner spawner, Path runtimeBinary, Path runtimeDir, Map<String, String> runtimeEnv,
                           java.util.function.BiFunction<Path, Path, List<String>> runtimeArgv, TaskCgroup cgroup,
                           ExecCgroup own, boolean tty, ExecStream stream, InteractiveExec.Registry registry,
                           String session, String what) {
        Path dir;
        try {
            dir = Files.createTempDirectory("drover-exec-"); // short enough for a socket path, owner-only
        } catch (IOException e) {
            if (own != null) own.close();
            throw DroverException.internal(what + ": cannot create a private directory: " + e.getMessage(), e);
        }
        Path pidFile = dir.resolve("pid");
        try {
            return tty ? containerTty(spawner, runtimeBinary, runtimeDir, runtimeEnv, runtimeArgv.apply(dir.resolve("console.sock"), pidFile),
                    dir.resolve("console.sock"), pidFile, cgroup, own, stream, registry, session, what)
                    : containerPipes(spawner, runtimeBinary, runtimeDir, runtimeEnv, runtimeArgv.apply(null, pidFile),
                    pidFile, cgroup, own, stream, registry, session);
        } catch (NativeException e) {
            throw SessionOps.spawnError(what, e);
        } finally {
            if (own != null) own.close();
            TaskRoot.deleteTree(dir);
        }
    }

    private static int containerTty(Spawner spawner, Path binary, Path runtimeDir, Map<String, String> runtimeEnv, List<String> argv,
                                    Path socketPath, Path pidFile, TaskCgroup cgroup, ExecCgroup own, ExecStream stream,
                                    InteractiveExec.Registry registry, String session, String what) {
        int[] err = LibC.pipe(); // the runtime's own messages; the command's output goes to the terminal
        try (var console = ConsoleSocket.listen(socketPath)) {
            int pid;
            try {
                pid = spawner.spawn(new Spawner.Request(binary, argv, runtimeEnv, runtimeDir, err[1], err[1]),
                        SessionOps.joinCgroupIfPresent(cgroup));
            } catch (RuntimeException e) {
                Native.close(err[0]);
                throw e;
            } finally {
                Native.close(err[1]);
            }
            var runtimeExited = new java.util.concurrent.CompletableFuture<Void>();
            Runnable kill = containerKiller(pid, pidFile, own, runtimeExited);
            // Leftovers die before the runtime is reaped, while its pid (and process group) stay reserved.
            var exit = ChildWatch.watch(pid, p -> {
                runtimeExited.complete(null);
                kill.run();
            });
            int master = console.receiveMaster(CONSOLE_TIMEOUT_MILLIS, () -> !exit.isDone());
            if (master < 0) {
                kill.run();
                var status = exit.join();
                String message = drain(err[0]);
                Native.close(err[0]);
                throw DroverException.internal(what + ": the OCI runtime sent no terminal (exit code " + status.exitCode() + ")"
                        + (message.isEmpty() ? "" : ": " + message), null);
            }
            return InteractiveExec.relay(InteractiveExec.Ends.tty(master, err[0]), exit, kill, stream, registry, session);
        }
    }

    private static int containerPipes(Spawner spawner, Path binary, Path runtimeDir, Map<String, String> runtimeEnv, List<String> argv,
                                      Path pidFile, TaskCgroup cgroup, ExecCgroup own, ExecStream stream,
                                      InteractiveExec.Registry registry, String session) {
        int[] in = LibC.pipe(), out = LibC.pipe(), err = LibC.pipe();
        int pid;
        try {
            pid = spawner.spawn(new Spawner.Request(binary, argv, runtimeEnv, runtimeDir, out[1], err[1], in[0], null),
                    SessionOps.joinCgroupIfPresent(cgroup));
        } catch (RuntimeException e) {
            closeAll(in[1], out[0], err[0]);
            throw e;
        } finally {
            closeAll(in[0], out[1], err[1]);
        }
        var runtimeExited = new java.util.concurrent.CompletableFuture<Void>();
        Runnable kill = containerKiller(pid, pidFile, own, runtimeExited);
        var exit = ChildWatch.watch(pid, p -> {
            runtimeExited.complete(null);
            kill.run();
        });
        return InteractiveExec.relay(InteractiveExec.Ends.pipes(in[1], out[0], err[0]), exit, kill, stream, registry, session);
    }

    /**
     * Kills a container exec and what it left. With a cgroup of its own, emptying it is all it
     * takes (and the runtime's session, if the runtime still runs). Without one (runc, hosts without
     * cgroup2) the sessions are searched: the command's host pid comes from
     * the runtime's pid file; its session is not always that pid (without a TTY the runtime's
     * intermediate child makes the session and exits), so a watcher reads the command's session id
     * while it runs. A command that ends within a millisecond or two can escape that watcher; there
     * its leftovers live until the task stops (they are in the task's container and cgroup).
     */
    private static Runnable containerKiller(int runtimePid, Path pidFile, ExecCgroup own, java.util.concurrent.CompletableFuture<?> exit) {
        if (own != null) {
            return () -> {
                own.kill();
                if (!exit.isDone()) InteractiveExec.killSession(runtimePid); // a caller that left: the runtime too
            };
        }
        var sid = new java.util.concurrent.atomic.AtomicInteger(-1);
        var execPid = new java.util.concurrent.atomic.AtomicInteger(-1);
        Thread.ofPlatform().daemon().name("exec-pid-" + runtimePid).stackSize(128 * 1024).start(() -> {
            long deadline = System.currentTimeMillis() + CONSOLE_TIMEOUT_MILLIS;
            while (!exit.isDone() && System.currentTimeMillis() < deadline) {
                int pid = readPid(pidFile);
                if (pid > 0) {
                    execPid.set(pid);
                    ProcTable.readStat(pid).ifPresent(stat -> sid.set(stat.session()));
                    return;
                }
                java.util.concurrent.locks.LockSupport.parkNanos(500_000);
            }
        });
        return () -> {
            int pid = execPid.get() > 0 ? execPid.get() : readPid(pidFile);
            if (sid.get() > 0) InteractiveExec.killSession(sid.get());
            if (pid > 0) InteractiveExec.killSession(pid); // with a TTY the command leads its own session
            InteractiveExec.killSession(runtimePid);       // the runtime leads its own session (we spawn it so)
        };
    }

    private static int readPid(Path pidFile) {
        try {
            String text = Files.exists(pidFile) ? Files.readString(pidFile).trim() : "";
            return text.isEmpty() ? -1 : Integer.parseInt(text);
        } catch (IOException | NumberFormatException e) {
            return -1; // not (completely) written yet
        }
    }

    /** What a finished runtime wrote to its error pipe. */
    private static String drain(int fd) {
        var text = new StringBuilder();
        try (var arena = java.lang.foreign.Arena.ofConfined()) {
            var buf = arena.allocate(4096);
            while (text.length() < 8192 && Native.pollReadable(fd, 10)) {
                int n = LibC.read(fd, buf);
                if (n <= 0) break;
                text.append(new String(buf.asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)));
            }
        } catch (RuntimeException e) {
            // best effort
        }
        return text.toString().trim();
    }

    private static void closeAll(int... fds) {
        for (int fd : fds) {
            if (fd >= 0) Native.close(fd);
        }
    }
}
