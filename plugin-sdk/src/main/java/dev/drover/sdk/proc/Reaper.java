package dev.drover.sdk.proc;

import dev.drover.sdk.nativ.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.logging.Logger;

/**
 * For a child subreaper: collects zombies of processes that were re-parented to us (orphaned
 * grandchildren of tasks, plugins of an earlier agent). Children the JDK started are skipped —
 * the JDK reaps those itself and needs their exit status.
 */
public final class Reaper {
    private static final Logger LOG = Logger.getLogger(Reaper.class.getName());
    private static final Set<Long> OWNED = ConcurrentHashMap.newKeySet();
    private static volatile boolean started;
    /** Pausers share the read side; a reaping round takes the write side or skips the round. */
    private static final ReentrantReadWriteLock PAUSE = new ReentrantReadWriteLock();
    /** Exit statuses of adopted children we reaped, by "pid/startTicks"; bounded, oldest dropped. */
    private static final java.util.Map<String, Integer> REAPED = java.util.Collections.synchronizedMap(
            new java.util.LinkedHashMap<>(64, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(java.util.Map.Entry<String, Integer> eldest) {
                    return size() > 4096;
                }
            });

    private Reaper() {}

    /** Marks a pid as started through {@link ProcessBuilder}, so it is left to the JDK. */
    public static void own(long pid) {
        OWNED.add(pid);
    }

    public static void disown(long pid) {
        OWNED.remove(pid);
    }

    /**
     * The raw wait status of an adopted child this process reaped — e.g. a task whose supervising
     * plugin died, leaving us its parent — or empty if we did not reap it.
     */
    public static java.util.OptionalInt reapedStatus(int pid, long startTicks) {
        Integer status = REAPED.get(pid + "/" + startTicks);
        return status == null ? java.util.OptionalInt.empty() : java.util.OptionalInt.of(status);
    }

    /**
     * Holds reaping back until the returned pause is closed. For a caller that is about to claim an
     * orphan: a container's init is re-parented to us when the OCI runtime exits, and must still be
     * a zombie we can wait for (with its exit status) when the caller learns its pid. Waits for a
     * reaping round under way to finish; close the pause on the thread that took it.
     */
    public static Pause pause() {
        PAUSE.readLock().lock();
        return new Pause();
    }

    /** Ends a {@link #pause()}; closing twice is harmless. */
    public static final class Pause implements AutoCloseable {
        private final AtomicBoolean closed = new AtomicBoolean();

        private Pause() {}

        @Override
        public void close() {
            if (closed.compareAndSet(false, true)) PAUSE.readLock().unlock();
        }
    }

    /** Makes this process a child subreaper and starts reaping adopted zombies. */
    public static synchronized void startAsSubreaper() {
        if (started) return;
        Native.becomeChildSubreaper();
        started = true;
        Thread.ofPlatform().daemon().name("zombie-reaper").start(() -> {
            while (true) {
                try {
                    Thread.sleep(250);
                    reapAdopted();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warning("reaper: " + e);
                }
            }
        });
    }

    /** Children hang off the thread that forked them (or the leader, once adopted): read them all. */
    static void reapAdopted() {
        if (!PAUSE.writeLock().tryLock()) return; // someone is about to claim an orphan: next round
        try {
            reapAdoptedUnpaused();
        } finally {
            PAUSE.writeLock().unlock();
        }
    }

    private static void reapAdoptedUnpaused() {
        try (var threads = Files.list(Path.of("/proc/self/task"))) {
            threads.forEach(thread -> {
                String children;
                try {
                    children = Files.readString(thread.resolve("children")).trim();
                } catch (IOException e) {
                    return; // the thread ended meanwhile
                }
                if (children.isEmpty()) return;
                for (String pid : children.split(" ")) {
                    int child = Integer.parseInt(pid);
                    if (OWNED.contains((long) child)) continue;
                    ProcStat.read(child).filter(st -> st.state() == 'Z').ifPresent(st -> {
                        int status = Native.reap(child);
                        if (status >= 0) REAPED.put(child + "/" + st.startTicks(), status);
                    });
                }
            });
        } catch (IOException e) {
            LOG.fine("reaper could not list threads: " + e);
        }
    }
}
