package dev.drover.executor;

import dev.drover.sdk.proc.Reaper;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntConsumer;

/**
 * Waits for a spawned child on its own small platform thread (a blocking native wait would pin a
 * virtual thread's carrier), reaps it and hands it back from the {@link Reaper}'s care.
 */
final class ChildWatch {
    private ChildWatch() {}

    /**
     * @param beforeReap runs after the exit but before reaping, while the pid (and the process
     *                   group id) still cannot be reused; null for none
     */
    static CompletableFuture<LibC.WaitStatus> watch(int pid, IntConsumer beforeReap) {
        var exit = new CompletableFuture<LibC.WaitStatus>();
        Thread.ofPlatform().daemon().name("wait-" + pid).stackSize(128 * 1024).start(() -> {
            try {
                LibC.WaitStatus status;
                if (beforeReap == null) {
                    status = LibC.waitExit(pid);
                } else {
                    status = LibC.waitExit(pid, false);
                    try {
                        beforeReap.accept(pid);
                    } finally {
                        LibC.waitExit(pid);
                    }
                }
                exit.complete(status);
            } catch (Throwable t) {
                exit.completeExceptionally(t);
            } finally {
                Reaper.disown(pid);
            }
        });
        return exit;
    }
}
