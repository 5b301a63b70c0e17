package dev.drover.executor;

import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.nativ.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A one-shot command in a task's context (script checks, {@code exec}): stdout and stderr share
 * one pipe, only the tail is kept, and the command's whole process group is SIGKILLed at the
 * deadline. Leftover background processes are killed as soon as the command itself exits, so one
 * stray child holding the pipe cannot stall the caller.
 */
final class OneShot {
    private OneShot() {}

    /** Extra time to drain output after the command exited. */
    private static final long DRAIN_MILLIS = 500;

    static ExecResult run(Spawner spawner, TaskCommand command, Map<String, String> env, Spawner.Placement placement,
                          long timeoutMillis) throws InterruptedException {
        int[] pipe = LibC.pipe();
        int pid;
        try {
            pid = spawner.spawn(new Spawner.Request(command.executable(), command.argv(), env, command.cwd(),
                    pipe[1], pipe[1]), placement);
        } catch (RuntimeException e) {
            Native.close(pipe[0]);
            throw e;
        } finally {
            Native.close(pipe[1]); // the child has its copies; EOF comes when they are all closed
        }
        var tail = new OutputTail(ExecResult.MAX_OUTPUT);
        var reader = new Reader(pipe[0], tail);
        Thread.ofPlatform().daemon().name("exec-output-" + pid).stackSize(128 * 1024).start(reader);
        // Leftovers of the group are killed while the exited leader still reserves the group id.
        var exit = ChildWatch.watch(pid, p -> Native.kill(-p, Native.SIGKILL));
        long deadline = System.currentTimeMillis() + timeoutMillis;
        LibC.WaitStatus status;
        try {
            status = exit.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            Native.kill(-pid, Native.SIGKILL);
            status = exit.join();
        } catch (ExecutionException e) {
            throw new IllegalStateException("lost the exit status of pid " + pid, e.getCause());
        }
        reader.finish(Math.max(deadline - System.currentTimeMillis(), DRAIN_MILLIS));
        return new ExecResult(tail.bytes(), status.exitCode());
    }

    /** Reads the pipe until EOF or until told to stop; owns (and closes) the read end. */
    private static final class Reader implements Runnable {
        private final int fd;
        private final OutputTail tail;
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private volatile boolean stop;

        Reader(int fd, OutputTail tail) {
            this.fd = fd;
            this.tail = tail;
        }

        @Override
        public void run() {
            try (var arena = Arena.ofConfined()) {
                var buf = arena.allocate(8192);
                // poll with a timeout: a plain read could block forever on a pipe held by an escaped process
                while (!stop) {
                    if (!Native.pollReadable(fd, 100)) continue;
                    int n = LibC.read(fd, buf);
                    if (n <= 0) break;
                    tail.write(buf.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), 0, n);
                }
            } catch (RuntimeException e) {
                // output is best effort; the exit code still counts
            } finally {
                Native.close(fd);
                done.complete(null);
            }
        }

        void finish(long waitMillis) throws InterruptedException {
            try {
                done.get(waitMillis, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                stop = true;
                done.join();
            } catch (ExecutionException e) {
                // never completed exceptionally
            }
        }
    }
}
