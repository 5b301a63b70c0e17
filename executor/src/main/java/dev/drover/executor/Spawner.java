package dev.drover.executor;

import static dev.drover.executor.LibC.*;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Starts task processes with posix_spawn (through FFM) rather than {@link ProcessBuilder}, because
 * we need three things the JDK cannot give:
 * <ul>
 *   <li>a new session in the child itself (POSIX_SPAWN_SETSID): pid == pgid == sid, no setsid binary;
 *   <li>the exact wait status (we reap with waitid, so "exit 137" and SIGKILL differ);
 *   <li>placement into the task's cgroup <em>before</em> the task runs a single instruction.
 * </ul>
 * For the last one there are two moments, both before the task runs (see {@link Placement}): the
 * spawning thread may first move itself where the child should be born, and the child's final file
 * action opens a private fifo for reading, which blocks until we open its write end. glibc's
 * posix_spawn suspends only the spawning thread (CLONE_VFORK), so while the child waits there we find
 * its pid in that thread's /proc children list, register it with the {@link Reaper}, place it and then
 * release it. No fork in the task can escape the cgroup, and the zombie reaper can never see an
 * unregistered child.
 */
public final class Spawner {
    /**
     * What to start. Fds are the caller's; they are dup'ed into the child and not closed here.
     *
     * @param stdinFd -1 for /dev/null
     * @param tty     a pty slave path, or null: when set it becomes the child's stdin, stdout, stderr
     *                and controlling terminal (the child is a new session's leader when it opens it),
     *                and the fds are ignored
     */
    public record Request(Path executable, List<String> argv, Map<String, String> env, Path cwd,
                          int stdoutFd, int stderrFd, int stdinFd, String tty) {
        public Request {
            argv = List.copyOf(argv);
            env = Map.copyOf(env);
        }

        public Request(Path executable, List<String> argv, Map<String, String> env, Path cwd, int stdoutFd, int stderrFd) {
            this(executable, argv, env, cwd, stdoutFd, stderrFd, -1, null);
        }
    }

    /**
     * Where a new child goes before it runs its first instruction. The spawning thread is a fresh
     * platform thread of its own, so it may move itself first: a child inherits the cgroups of the
     * thread that forks it.
     */
    @FunctionalInterface
    public interface Placement {
        Placement NONE = pid -> {};

        /** Runs while the child is held just before exec; if it throws, the child is killed there. */
        void placeChild(int pid);

        /**
         * Runs on the spawning thread right before the child is created. Returns what moves the
         * thread back, which runs on that thread once the child has exec'd (or failed to), before
         * {@link #spawn} returns; it must not throw. By default the thread stays where it is.
         */
        default Runnable enterThread() {
            return () -> {};
        }
    }

    private static final long CHILD_APPEAR_TIMEOUT_NANOS = 10_000_000_000L;
    private final Path syncDir;
    private final AtomicLong counter = new AtomicLong();

    /** @param syncDir a private (0700) directory for the short-lived synchronisation fifos */
    public Spawner(Path syncDir) {
        this.syncDir = syncDir;
    }

    /** A spawner using a fresh private temp directory. */
    public static Spawner withTempDir() {
        try {
            var dir = Files.createTempDirectory("drover-spawn-");
            dir.toFile().deleteOnExit();
            return new Spawner(dir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create spawn directory: " + e.getMessage(), e);
        }
    }

    /**
     * Starts the process and returns its pid. The child is ours (reap it with {@link LibC#waitExit})
     * and registered with {@link Reaper#own}. The placement's {@link Placement#placeChild} runs while
     * the child is held just before exec; if it throws, the child is killed and the error rethrown.
     *
     * @throws NativeException carrying the errno of a failed spawn or exec (ENOENT, EACCES, ENOEXEC…)
     */
    public int spawn(Request request, Placement placement) {
        Path sync = syncDir.resolve("sync-" + counter.incrementAndGet());
        Native.mkfifo(sync, 0600);
        var tid = new CompletableFuture<Integer>();
        var result = new CompletableFuture<Integer>();
        // A fresh platform thread: its children list holds exactly our child, it may move itself
        // into the child's cgroups and back, and the FFM call must not pin a virtual thread's carrier
        // while the child is held.
        Thread.ofPlatform().daemon().name("spawn").stackSize(256 * 1024).start(() -> {
            tid.complete(gettid());
            try {
                result.complete(posixSpawn(request, sync, placement));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        int pid = -1;
        RuntimeException hookError = null;
        try {
            pid = awaitChild(tid.join(), result);
            if (pid > 0) {
                Reaper.own(pid);
                try {
                    placement.placeChild(pid);
                } catch (RuntimeException e) {
                    hookError = e;
                    Native.kill(pid, Native.SIGKILL); // dies at the fifo, never runs the task
                }
            }
        } finally {
            release(sync, result);
            try {
                Files.deleteIfExists(sync);
            } catch (IOException ignored) {
                // a stale fifo in our private dir is harmless
            }
        }
        int spawned;
        try {
            spawned = result.get();
        } catch (ExecutionException e) {
            if (pid > 0) Reaper.disown(pid); // glibc reaped the failed child itself
            if (hookError != null) throw hookError;
            throw rethrow(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while spawning", e);
        }
        if (hookError != null) {
            waitExit(spawned);
            Reaper.disown(spawned);
            throw hookError;
        }
        if (pid <= 0) {
            // Never saw the held child (no CONFIG_PROC_CHILDREN, or a 10 s stall): place it late.
            Reaper.own(spawned);
            try {
                placement.placeChild(spawned);
            } catch (RuntimeException e) {
                Native.kill(-spawned, Native.SIGKILL);
                waitExit(spawned);
                Reaper.disown(spawned);
                throw e;
            }
        }
        return spawned;
    }

    /** Polls the spawning thread's children until the new child shows up (or the spawn failed). */
    private static int awaitChild(int tid, CompletableFuture<Integer> result) {
        Path children = Path.of("/proc/self/task", Integer.toString(tid), "children");
        long deadline = System.nanoTime() + CHILD_APPEAR_TIMEOUT_NANOS;
        while (System.nanoTime() < deadline) {
            try {
                String list = Files.readString(children).trim();
                if (!list.isEmpty()) return Integer.parseInt(list.split(" ")[0]);
            } catch (java.nio.file.NoSuchFileException e) {
                // The spawning thread cannot have ended while its child is held, so the kernel lacks
                // CONFIG_PROC_CHILDREN: fall back to placing the child right after exec.
                if (!result.isDone()) return -1;
            } catch (IOException e) {
                // unreadable for a moment: retry
            }
            if (result.isDone()) return result.isCompletedExceptionally() ? -1 : result.join();
            LockSupport.parkNanos(20_000);
        }
        return -1;
    }

    /** Opens the fifo's write end so the held child proceeds; gives up once the spawn returned. */
    private static void release(Path sync, CompletableFuture<Integer> result) {
        while (true) {
            int fd = open(sync.toString(), O_WRONLY | O_NONBLOCK | O_CLOEXEC, 0);
            if (fd >= 0) {
                Native.close(fd);
                return;
            }
            if (-fd != ENXIO || result.isDone()) return; // ENXIO: the child has not reached the fifo yet
            LockSupport.parkNanos(20_000);
        }
    }

    private static int posixSpawn(Request r, Path sync, Placement placement) throws Throwable {
        try (var arena = Arena.ofConfined()) {
            var actions = arena.allocate(FILE_ACTIONS_SIZE, 16);
            var attr = arena.allocate(SPAWNATTR_SIZE, 16);
            check("posix_spawn_file_actions_init", (int) FA_INIT.invokeExact(actions));
            check("posix_spawnattr_init", (int) ATTR_INIT.invokeExact(attr));
            try {
                // Order matters: fds 1/2 first (their sources may be any low fd), then close every
                // inherited fd, and the blocking sync open last, right before exec.
                check("addchdir", (int) FA_CHDIR.invokeExact(actions, arena.allocateFrom(r.cwd().toString())));
                if (r.tty() != null) {
                    // setsid ran before the file actions, so opening the slave (no O_NOCTTY) makes it
                    // the controlling terminal: ^C on the pty reaches the foreground process group.
                    check("addopen", (int) FA_OPEN.invokeExact(actions, 0, arena.allocateFrom(r.tty()), O_RDWR, 0));
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, 0, 1));
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, 0, 2));
                } else {
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, r.stdoutFd(), 1));
                    check("adddup2", (int) FA_DUP2.invokeExact(actions, r.stderrFd(), 2));
                    if (r.stdinFd() >= 0) {
                        check("adddup2", (int) FA_DUP2.invokeExact(actions, r.stdinFd(), 0));
                    } else {
                        check("addopen", (int) FA_OPEN.invokeExact(actions, 0, arena.allocateFrom("/dev/null"), O_RDONLY, 0));
                    }
                }
                check("addclosefrom", (int) FA_CLOSEFROM.invokeExact(actions, 3));
                check("addopen", (int) FA_OPEN.invokeExact(actions, 3, arena.allocateFrom(sync.toString()), O_RDONLY, 0));
                check("addclose", (int) FA_CLOSE.invokeExact(actions, 3));

                // Default dispositions and an empty mask: the JVM's signal setup must not leak into tasks.
                var all = arena.allocate(SIGSET_SIZE, 8);
                var none = arena.allocate(SIGSET_SIZE, 8);
                check("sigfillset", (int) SIGFILLSET.invokeExact(all));
                check("sigemptyset", (int) SIGEMPTYSET.invokeExact(none));
                check("setsigdefault", (int) ATTR_SIGDEFAULT.invokeExact(attr, all));
                check("setsigmask", (int) ATTR_SIGMASK.invokeExact(attr, none));
                short flags = (short) (POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
                check("setflags", (int) ATTR_FLAGS.invokeExact(attr, flags));

                var pid = arena.allocate(ValueLayout.JAVA_INT);
                var path = arena.allocateFrom(r.executable().toString());
                var argv = cStrings(arena, r.argv());
                var envp = cStrings(arena, environment(r.env()));
                // Only the fork itself runs where the thread moves (its CPU time is charged there).
                Runnable leave = placement.enterThread();
                int rc;
                try {
                    rc = (int) POSIX_SPAWN.invokeExact(pid, path, actions, attr, argv, envp);
                } finally {
                    leave.run(); // the child has exec'd (or failed): the caller learns its pid only after this
                }
                if (rc != 0) throw new NativeException("spawn " + r.executable(), rc);
                return pid.get(ValueLayout.JAVA_INT, 0);
            } finally {
                destroy(FA_DESTROY, actions);
                destroy(ATTR_DESTROY, attr);
            }
        }
    }

    private static List<String> environment(Map<String, String> env) {
        return env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    /** A NULL-terminated char* array. */
    private static MemorySegment cStrings(Arena arena, List<String> strings) {
        var array = arena.allocate(ValueLayout.ADDRESS, strings.size() + 1);
        for (int i = 0; i < strings.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, arena.allocateFrom(strings.get(i)));
        }
        array.setAtIndex(ValueLayout.ADDRESS, strings.size(), MemorySegment.NULL);
        return array;
    }

    private static void destroy(java.lang.invoke.MethodHandle destroy, MemorySegment object) throws Throwable {
        int rc = (int) destroy.invokeExact(object); // cannot fail for an initialised object
        assert rc == 0;
    }

    private static void check(String what, int rc) {
        if (rc != 0) throw new NativeException(what, rc);
    }
}
