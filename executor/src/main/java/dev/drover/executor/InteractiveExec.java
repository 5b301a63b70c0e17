package dev.drover.executor;

import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * One interactive exec once its process runs: the caller's input goes to the pty master (or the
 * stdin pipe), resizes to the master, output comes back in order, and the exit code is returned
 * only after all output was delivered.
 *
 * <p>Nothing outlives the exec: when the process exits, whatever it left in its session is killed
 * (before reaping, so the session id cannot be reused meanwhile); when the caller goes away the
 * whole session is killed at once. Everything touching fds runs on small platform threads, since a
 * blocking native read or write would pin a virtual thread's carrier.
 */
final class InteractiveExec {
    private static final Logger LOG = Logger.getLogger(InteractiveExec.class.getName());
    /** How long output may still arrive after the exit before the readers give up. */
    private static final long DRAIN_MILLIS = 2_000;
    private static final byte EOT = 4; // ^D: end of input on a terminal in canonical mode

    /** Our ends of the command's terminal or pipes; -1 where there is none. */
    record Ends(int master, int stdin, int stdout, int stderr) {
        /** @param stderr -1, or a pipe with the messages of the runtime that made the terminal */
        static Ends tty(int master, int stderr) {
            return new Ends(master, -1, -1, stderr);
        }

        static Ends pipes(int stdin, int stdout, int stderr) {
            return new Ends(-1, stdin, stdout, stderr);
        }

        boolean tty() {
            return master >= 0;
        }
    }

    /** Running execs per task session, so a task's shutdown can end them too. */
    static final class Registry {
        private final Map<String, Set<Runnable>> killers = new ConcurrentHashMap<>();

        void add(String session, Runnable kill) {
            killers.computeIfAbsent(session, k -> ConcurrentHashMap.newKeySet()).add(kill);
        }

        void remove(String session, Runnable kill) {
            killers.computeIfPresent(session, (k, set) -> {
                set.remove(kill);
                return set.isEmpty() ? null : set;
            });
        }

        void killAll(String session) {
            var set = killers.get(session);
            if (set != null) set.forEach(Runnable::run);
        }
    }

    private InteractiveExec() {}

    /**
     * Relays until {@code pid} (our child: the command itself, or the runtime running it) exits.
     * Takes ownership of the fds in {@code ends} and closes them.
     *
     * @param kill kills the command and everything left in its session; safe to call repeatedly
     * @return the exit code of {@code pid}
     */
    static int relay(Ends ends, int pid, Runnable kill, ExecStream stream, Registry registry, String session) {
        return relay(ends, ChildWatch.watch(pid, p -> kill.run()), kill, stream, registry, session);
    }

    /**
     * As above, for a child already being watched ({@code exit} should kill leftovers before reaping).
     */
    static int relay(Ends ends, java.util.concurrent.CompletableFuture<LibC.WaitStatus> exit, Runnable kill,
                     ExecStream stream, Registry registry, String session) {
        var callerGone = new AtomicBoolean();
        Runnable abandon = () -> {
            if (callerGone.compareAndSet(false, true)) kill.run();
        };
        registry.add(session, kill);
        var input = new Input(ends, stream, abandon, exit::isDone);
        Thread.ofPlatform().daemon().name("exec-in").stackSize(256 * 1024).start(input);
        var readers = new ArrayList<Reader>();
        readers.add(new Reader(ends.tty() ? ends.master() : ends.stdout(), stream::stdout, abandon));
        // With a TTY the command's stderr is the terminal too; a pipe here carries a runtime's own errors.
        if (ends.stderr() >= 0) readers.add(new Reader(ends.stderr(), stream::stderr, abandon));
        readers.forEach(r -> Thread.ofPlatform().daemon().name("exec-out").stackSize(256 * 1024).start(r));
        try {
            var status = exit.join();
            long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
            for (var reader : readers) reader.finish(deadline);
            return status.exitCode();
        } finally {
            registry.remove(session, kill);
            input.closeFds();
            readers.forEach(Reader::close);
        }
    }

    /**
     * Kills every process of session {@code sid} and of process group {@code sid}, with their
     * descendants — a few rounds, since a process may fork while we scan. Only members are looked
     * for, never "the process numbered sid": while any member lives the kernel does not hand that
     * number to a new process, so an ended session cannot lead us to a stranger.
     */
    static void killSession(int sid) {
        for (int round = 0; round < 3; round++) {
            var table = ProcTable.scan();
            var targets = new java.util.LinkedHashSet<Integer>(table.sessionMembers(sid));
            targets.addAll(table.group(sid));
            for (int member : List.copyOf(targets)) targets.addAll(table.descendants(member));
            targets.remove(Native.getpid());
            if (targets.isEmpty()) return;
            for (int p : targets) Native.kill(p, Native.SIGKILL);
        }
    }

    /** Caller to process: stdin bytes, stdin close and resizes. */
    private static final class Input implements Runnable {
        private final Ends ends;
        private final ExecStream stream;
        private final Runnable abandon;
        private final java.util.function.BooleanSupplier exited;
        private final Object fdLock = new Object();
        private int stdin;
        private boolean closed;

        Input(Ends ends, ExecStream stream, Runnable abandon, java.util.function.BooleanSupplier exited) {
            this.ends = ends;
            this.stream = stream;
            this.abandon = abandon;
            this.exited = exited;
            this.stdin = ends.tty() ? ends.master() : ends.stdin();
        }

        @Override
        public void run() {
            try {
                ExecStream.Input in;
                while ((in = stream.receive()) != null) {
                    switch (in) {
                        case ExecStream.Stdin s -> write(s.data());
                        case ExecStream.CloseStdin c -> {
                            if (ends.tty()) write(new byte[] {EOT});
                            else closeStdin();
                        }
                        case ExecStream.Resize r -> resize(r);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                LOG.fine("exec input ended: " + e.getMessage());
            }
            if (!exited.getAsBoolean()) abandon.run(); // the caller went away: end the command
        }

        private void write(byte[] data) {
            synchronized (fdLock) {
                if (!closed && stdin >= 0) Pty.write(stdin, data);
            }
        }

        private void resize(ExecStream.Resize r) {
            synchronized (fdLock) {
                if (!closed && ends.tty()) Pty.resize(ends.master(), r.height(), r.width());
            }
        }

        private void closeStdin() {
            synchronized (fdLock) {
                if (stdin >= 0 && !ends.tty()) {
                    Native.close(stdin);
                    stdin = -1;
                }
            }
        }

        /** The readers are done with the master by now; a late input write must not hit a reused fd. */
        void closeFds() {
            synchronized (fdLock) {
                closed = true;
                if (stdin >= 0 && !ends.tty()) Native.close(stdin);
                stdin = -1;
            }
        }
    }

    /** Process to caller: one output fd until end of file (EIO on a hung-up pty). */
    private static final class Reader implements Runnable {
        private final int fd;
        private final Consumer<byte[]> sink;
        private final Runnable abandon;
        private final java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        private volatile boolean stop;
        private boolean delivering = true;

        Reader(int fd, Consumer<byte[]> sink, Runnable abandon) {
            this.fd = fd;
            this.sink = sink;
            this.abandon = abandon;
        }

        @Override
        public void run() {
            try (var arena = Arena.ofConfined()) {
                var buf = arena.allocate(16 * 1024);
                while (!stop) {
                    if (!Native.pollReadable(fd, 100)) continue;
                    int n = read(buf);
                    if (n <= 0) break;
                    if (delivering) deliver(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE));
                }
            } catch (RuntimeException e) {
                LOG.fine("exec output ended: " + e.getMessage());
            } finally {
                done.complete(null);
            }
        }

        private int read(java.lang.foreign.MemorySegment buf) {
            try {
                return LibC.read(fd, buf);
            } catch (NativeException e) {
                if (e.errno() == 5) return 0; // EIO: every slave fd is closed
                throw e;
            }
        }

        private void deliver(byte[] data) {
            try {
                sink.accept(data);
            } catch (RuntimeException e) {
                delivering = false; // the caller is gone: keep draining so the command never blocks on output
                abandon.run();
            }
        }

        /** Waits for end of file until the deadline, then stops reading. */
        void finish(long deadline) {
            try {
                done.get(Math.max(1, deadline - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                stop = true;
                done.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                stop = true;
                done.join();
            } catch (java.util.concurrent.ExecutionException e) {
                // never completed exceptionally
            }
        }

        void close() {
            stop = true;
            done.join();
            Native.close(fd);
        }
    }
}
