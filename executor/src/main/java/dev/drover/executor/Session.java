package dev.drover.executor;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.ProcessIdentity;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** One launched task: its main process, its cgroup and its (eventual) exit state. */
final class Session {
    final String id;
    final ExecCommand command;
    final int pid;          // also the task's process group and session id
    final long startTicks;
    final ProcessIdentity identity;
    final TaskCgroup cgroup; // null when the task has none
    final CpuSampler cpu = new CpuSampler();
    private final CompletableFuture<ProcessState> exit;

    /** A task this executor spawned: its exit status is ours to read. */
    Session(String id, ExecCommand command, int pid, long startTicks, TaskCgroup cgroup) {
        this(id, command, pid, startTicks, cgroup, false);
    }

    /**
     * @param adopted the task was spawned by an executor that died; it is not our child, so we can
     *                see that it exits (pidfd) but not how
     */
    Session(String id, ExecCommand command, int pid, long startTicks, TaskCgroup cgroup, boolean adopted) {
        this.id = id;
        this.command = command;
        this.pid = pid;
        this.startTicks = startTicks;
        this.identity = new ProcessIdentity(pid, startTicks, ProcessIdentity.currentBootId());
        this.cgroup = cgroup;
        this.exit = adopted ? watchAdopted() : watchChild();
    }

    private CompletableFuture<ProcessState> watchAdopted() {
        var exit = new CompletableFuture<ProcessState>();
        Thread.ofPlatform().daemon().name("adopted-" + pid).stackSize(128 * 1024).start(() -> {
            while (!identity.awaitExit(60_000)) {
                // still running
            }
            exit.complete(new ProcessState(pid, startTicks, -1, 0, false, System.currentTimeMillis(),
                    "exit status unknown: the task ended after its executor was replaced"));
        });
        return exit;
    }

    private CompletableFuture<ProcessState> watchChild() {
        return ChildWatch.watch(pid, null).handle((status, error) -> {
            long now = System.currentTimeMillis();
            if (error != null) {
                return new ProcessState(pid, startTicks, -1, 0, false, now, "exit status lost: " + error.getMessage());
            }
            // A SIGKILL while the cgroup counted an OOM kill: the kernel, not a person, killed it —
            // the main process itself, or a child whose 137 a shell passed on.
            boolean killed = status.signal() == Native.SIGKILL || (status.signal() == 0 && status.exitCode() == 128 + Native.SIGKILL);
            boolean oom = killed && cgroup != null && cgroup.oomKills() > 0;
            return new ProcessState(pid, startTicks, status.exitCode(), status.signal(), oom, now, "");
        });
    }

    boolean exited() {
        return exit.isDone();
    }

    ProcessState state() {
        return exit.isDone() ? exit.join() : ProcessState.running(pid, startTicks);
    }

    ProcessState await() throws InterruptedException {
        try {
            return exit.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause()); // handle() above never fails
        }
    }

    /** @return true when the main process exited within the timeout */
    boolean awaitExit(long timeoutMillis) throws InterruptedException {
        try {
            exit.get(timeoutMillis, TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }
}
