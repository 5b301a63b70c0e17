package dev.drover.agent.task;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Gets the kernel's grace period for cgroup migrations out of the way while a task is being prepared,
 * so that its placement (the executor writing the new process into the task's cgroup2 directory,
 * before it runs) does not have to wait for it.
 *
 * <p>Every move of a process into a cgroup takes the kernel's global cgroup_threadgroup_rwsem for
 * writing. The first writer after a quiet moment waits for an RCU grace period (percpu_down_write →
 * rcu_sync_enter: 5–15 ms on a 2-core node, about half of a raw_exec start); writers that come within
 * about one grace period after the last one left do not wait. So when a job is registered and when a
 * start attempt begins (restarts too), {@link #soon} writes our own pid into the cgroup2 cgroup.procs
 * of the cgroup we are already in, on a virtual thread: a migration that moves nothing, but pays the
 * grace period while the registration, the hooks, the logmon session and the executor call (10–15 ms)
 * run, and the placement that follows finds it paid.
 *
 * <p>Correctness never depends on it: the task is placed before it runs either way, and when the
 * warm-up comes too late or too early the placement simply waits as it would have. It changes no
 * host setting (compare cgroup2's favordynmods mount option, docs/performance.md). At most one
 * warm-up is in flight; a host without cgroup2 (where the executor's placement takes no lock, see
 * the executor's BirthPlacement), or a cgroup.procs we may not write, turns it off.
 */
public final class CgroupLockWarmup {
    private static final Logger LOG = Logger.getLogger(CgroupLockWarmup.class.getName());
    /** Does nothing: tests, hosts without cgroup2, non-root agents. */
    public static final CgroupLockWarmup OFF = new CgroupLockWarmup(null);

    private final Path procs; // cgroup.procs of our own cgroup2 cgroup, or null
    private final byte[] self = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
    private final AtomicBoolean inFlight = new AtomicBoolean();
    private final AtomicLong writes = new AtomicLong();
    private volatile boolean failed;

    CgroupLockWarmup(Path procs) {
        this.procs = procs;
    }

    /** Our own cgroup2 cgroup, from /proc/self/mounts and /proc/self/cgroup; {@link #OFF} without one. */
    public static CgroupLockWarmup detect() {
        try {
            return forHost(Files.readString(Path.of("/proc/self/mounts")), Files.readString(Path.of("/proc/self/cgroup")));
        } catch (IOException e) {
            return OFF;
        }
    }

    static CgroupLockWarmup forHost(String mounts, String procSelfCgroup) {
        Path root = null;
        for (String line : mounts.lines().toList()) {
            String[] f = line.split(" ");
            if (f.length < 3 || !f[2].equals("cgroup2")) continue;
            Path mount = Path.of(f[1].replace("\\040", " "));
            if (root == null || mount.equals(Path.of("/sys/fs/cgroup"))) root = mount;
        }
        String own = procSelfCgroup.lines().filter(l -> l.startsWith("0::")).map(l -> l.substring(3).trim()).findFirst().orElse(null);
        if (root == null || own == null || own.contains("(deleted)")) return OFF;
        Path procs = root.resolve(own.replaceFirst("^/+", "")).resolve("cgroup.procs");
        return Files.isWritable(procs) ? new CgroupLockWarmup(procs) : OFF;
    }

    /** Starts a warm-up unless one is in flight; returns at once. */
    public void soon() {
        if (procs == null || failed || !inFlight.compareAndSet(false, true)) return;
        Thread.ofVirtual().name("cgroup-lock-warmup").start(() -> {
            try {
                Files.write(procs, self, StandardOpenOption.WRITE);
                writes.incrementAndGet();
            } catch (IOException e) {
                failed = true; // not ours to write after all: starts just pay the grace period themselves
                LOG.fine("cgroup lock warm-up off: cannot write " + procs + ": " + e.getMessage());
            } finally {
                inFlight.set(false);
            }
        });
    }

    /** The cgroup.procs written, or null when off. */
    Path target() {
        return procs;
    }

    /** True once it does nothing: never on, or a write failed. */
    boolean isOff() {
        return procs == null || failed;
    }

    /** Warm-ups done so far. */
    long writes() {
        return writes.get();
    }
}
