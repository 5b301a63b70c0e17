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

    Session(String id, ExecCommand command, int pid, long startTicks, TaskCgroup cgroup) {
        this.id = id;
        this.command = command;
        this.pid = pid;
        this.startTicks = startTicks;
        this.identity = new ProcessIdentity(pid, startTicks, ProcessIdentity.currentBootId());
        this.cgroup = cgroup;
        this.exit = ChildWatch.watch(pid, null).handle((status, error) -> {
            long now = System.currentTimeMillis();
            if (error != null) {
                return new ProcessState(pid, startTicks, -1, 0, false, now, "exit status lost: " + error.getMessage());
            }
            // A SIGKILL while the cgroup counted an OOM kill: the kernel, not a person, killed it.
            boolean oom = status.signal() == Native.SIGKILL && cgroup != null && cgroup.oomKills() > 0;
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
