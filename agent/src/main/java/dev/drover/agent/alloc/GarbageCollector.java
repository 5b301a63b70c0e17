package dev.drover.agent.alloc;

import dev.drover.agent.config.GcConfig;
import dev.drover.agent.state.StateStore;
import dev.drover.agent.state.StateStore.Bucket;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * Removes terminal allocations: their state, their alloc dir and any cgroup leaf left behind, after
 * which the API answers 404 for them. Running allocations are never touched. Every
 * {@link GcConfig#interval()} it removes, oldest terminal first,
 * <ul>
 *   <li>those terminal for longer than {@link GcConfig#allocTtl()} (if set), and</li>
 *   <li>as many as needed to bring the allocations the agent holds down to {@link GcConfig#maxAllocs()}
 *       (Nomad's gc_max_allocs: running ones count, but only terminal ones go).</li>
 * </ul>
 * It also removes alloc dirs no allocation owns (a purged job's, or one whose removal a crash cut short).
 */
public final class GarbageCollector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(GarbageCollector.class.getName());
    private static final Pattern ALLOC_ID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}");

    private final AllocManager allocs;
    private final StateStore state;
    private final Path allocRoot;
    private final GcConfig config;
    private final LongSupplier nowNanos;
    private volatile Thread loop;

    public GarbageCollector(AllocManager allocs, StateStore state, Path allocRoot, GcConfig config) {
        this(allocs, state, allocRoot, config, AllocManager::nowNanos);
    }

    GarbageCollector(AllocManager allocs, StateStore state, Path allocRoot, GcConfig config, LongSupplier nowNanos) {
        this.allocs = allocs;
        this.state = state;
        this.allocRoot = allocRoot;
        this.config = config;
        this.nowNanos = nowNanos;
    }

    public void start() {
        loop = Thread.ofVirtual().name("alloc-gc").start(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(config.interval());
                    collect();
                } catch (InterruptedException e) {
                    return;
                } catch (RuntimeException e) {
                    LOG.warning("garbage collection failed: " + e);
                }
            }
        });
    }

    /** One pass by the policy above; returns the ids removed. */
    public synchronized List<String> collect() {
        var terminal = terminalOldestFirst();
        var chosen = new ArrayList<AllocRunner>();
        long ttl = config.allocTtl().toNanos();
        long now = nowNanos.getAsLong();
        int held = allocs.allocations().size();
        for (var r : terminal) {
            boolean expired = ttl > 0 && now - r.terminalAt() >= ttl;
            if (expired || held - chosen.size() > config.maxAllocs()) chosen.add(r);
        }
        return remove(chosen);
    }

    /** Removes every terminal allocation now (Nomad's {@code /v1/client/gc}); returns the ids removed. */
    public synchronized List<String> collectAll() {
        return remove(terminalOldestFirst());
    }

    /** Removes one allocation, which must be terminal (Nomad's {@code /v1/client/allocation/:id/gc}). */
    public synchronized boolean collect(AllocRunner runner) {
        return !remove(List.of(runner)).isEmpty();
    }

    private List<AllocRunner> terminalOldestFirst() {
        return allocs.allocations().stream().filter(AllocRunner::terminal)
                .sorted(Comparator.comparingLong(AllocRunner::terminalAt)).toList();
    }

    private List<String> remove(List<AllocRunner> runners) {
        var removed = new ArrayList<String>();
        for (var r : runners) {
            if (!allocs.forget(r)) continue; // restarted or already gone meanwhile
            removeLeftovers(r.alloc().id());
            removed.add(r.alloc().id());
        }
        sweepOrphanDirs();
        if (!removed.isEmpty()) LOG.info("garbage collected " + removed.size() + " terminal allocation(s): " + removed);
        return removed;
    }

    private void removeLeftovers(String allocId) {
        Path dir = allocRoot.resolve(allocId);
        try {
            var mounts = DirRemoval.mountsUnder(dir);
            if (!mounts.isEmpty()) {
                // Deleting through a mount would delete what it shows; leave it for an operator.
                LOG.warning("not removing " + dir + ": mounts below it: " + mounts);
                return;
            }
            new AllocDir(dir).destroy();
        } catch (RuntimeException e) {
            LOG.warning("removing " + dir + ": " + e.getMessage());
        }
        DirRemoval.removeCgroupLeaves(allocId + ".");
    }

    /** Dirs are listed before the known ids are read: a dir only exists once its allocation is known. */
    private void sweepOrphanDirs() {
        List<Path> dirs;
        try (var list = Files.list(allocRoot)) {
            dirs = list.filter(p -> ALLOC_ID.matcher(p.getFileName().toString()).matches()).toList();
        } catch (IOException e) {
            return; // no alloc dir yet
        }
        // Stored but not restored (say, a job this build cannot read) still counts: its tasks may run.
        Set<String> known = new HashSet<>(state.keys(Bucket.ALLOCS));
        allocs.allocations().forEach(r -> known.add(r.alloc().id()));
        for (Path d : dirs) {
            String id = d.getFileName().toString();
            if (!known.contains(id)) removeLeftovers(id);
        }
    }

    @Override
    public void close() {
        var t = loop;
        if (t == null) return;
        t.interrupt();
        try {
            t.join(java.time.Duration.ofSeconds(10)); // a pass under way finishes before the state store closes
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
