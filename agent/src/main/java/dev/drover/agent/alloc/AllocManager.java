package dev.drover.agent.alloc;

import dev.drover.agent.AgentServices;
import dev.drover.agent.job.Job;
import dev.drover.agent.jobspec.JobJson;
import dev.drover.agent.state.StateStore.Bucket;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.AllocatedPort;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * The node-local stand-in for Nomad's scheduler: a registered job becomes one allocation per
 * {@code count} of each group; a changed job replaces its allocations; a stopped job stops them.
 */
public final class AllocManager {
    private static final Logger LOG = Logger.getLogger(AllocManager.class.getName());

    private final AgentServices services;
    private final PortAllocator ports;
    private final Map<String, AllocRunner> runners = new ConcurrentHashMap<>();
    /** What was last written per allocation: task state changes alone do not rewrite it. */
    private final Map<String, Allocation> persisted = new ConcurrentHashMap<>();

    public AllocManager(AgentServices services, PortAllocator ports) {
        this.services = services;
        this.ports = ports;
    }

    /** Result of a registration: the job's version and the allocations it now runs. */
    public record Registration(long version, List<String> allocIds, boolean changed) {}

    /** Checks every task's driver and config; throws INVALID_CONFIG naming the task on the first bad one. */
    public void validate(Job job) {
        for (var group : job.groups()) {
            for (var task : group.tasks()) {
                try {
                    services.drivers().require(task.driver()).validateTaskConfig(task.config());
                } catch (DroverException e) {
                    throw DroverException.invalid("group \"" + group.name() + "\" task \"" + task.name() + "\": " + e.getMessage());
                }
            }
        }
    }

    /** Registers a job received just now. */
    public Registration register(Job job) {
        return register(job, nowNanos());
    }

    /**
     * Registers a job; {@code receivedAt} (unix nanos, when the API accepted it) is its allocations'
     * CreateTime. Returns once the job and its allocations are durable. Their tasks start meanwhile:
     * the prestart work overlaps the fsync, and a task waits for it only before its process starts.
     */
    public Registration register(Job job, long receivedAt) {
        services.lockWarmup().soon(); // its tasks' placements come in ~10 ms: see CgroupLockWarmup
        var pending = registerLocked(job, receivedAt);
        services.state().awaitDurable(pending.stateWrite());
        return pending.registration();
    }

    private record Pending(Registration registration, long stateWrite) {}

    private synchronized Pending registerLocked(Job job, long receivedAt) {
        validate(job);
        var json = JobJson.toJson(job);
        var previous = services.state().get(Bucket.JOBS, job.id(), StoredJob.class);
        var live = liveAllocs(job.id());
        if (previous.isPresent() && !previous.get().stopped() && previous.get().job().equals(json) && !live.isEmpty()) {
            return new Pending(new Registration(previous.get().version(), live.stream().map(r -> r.alloc().id()).toList(), false), 0);
        }
        long version = previous.map(p -> p.version() + 1).orElse(0L);
        long written = services.state().write(Bucket.JOBS, job.id(), new StoredJob(json, version, receivedAt, false));
        live.forEach(r -> stopRunner(r, "job updated"));
        var created = new ArrayList<AllocRunner>();
        for (var group : job.groups()) {
            for (int i = 0; i < group.count(); i++) {
                var alloc = newAlloc(job, json, group, i, receivedAt);
                written = services.state().write(Bucket.ALLOCS, alloc.id(), alloc);
                persisted.put(alloc.id(), alloc);
                var runner = new AllocRunner(services, alloc, job, this::persist);
                runners.put(alloc.id(), runner);
                created.add(runner);
            }
        }
        services.state().commitSoon(); // the fsync runs while the runners start and their hooks run
        for (var runner : created) runner.start(written);
        return new Pending(new Registration(version, created.stream().map(r -> r.alloc().id()).toList(), true), written);
    }

    private Allocation newAlloc(Job job, tools.jackson.databind.JsonNode json, dev.drover.agent.job.TaskGroup group, int index,
                                long createTime) {
        var allocated = new ArrayList<AllocatedPort>();
        if (group.network() != null) {
            for (var p : group.network().ports()) {
                int value = p.value() > 0 ? ports.reserveStatic(p.value()) : ports.reserveDynamic();
                allocated.add(new AllocatedPort(p.label(), value, p.to(), ports.hostIp()));
            }
        }
        String name = job.id() + "." + group.name() + "[" + index + "]";
        return new Allocation(UUID.randomUUID().toString(), job.namespace(), name, index, job.id(), group.name(),
                json, Allocation.DESIRED_RUN, allocated, createTime);
    }

    private void persist(AllocRunner runner) {
        var alloc = runner.alloc();
        if (!alloc.equals(persisted.put(alloc.id(), alloc))) services.state().put(Bucket.ALLOCS, alloc.id(), alloc);
        if (runner.terminal()) runner.alloc().ports().forEach(p -> ports.release(p.value()));
        services.telemetry().allocUpdated(runner);
    }

    private List<AllocRunner> liveAllocs(String jobId) {
        return runners.values().stream()
                .filter(r -> r.alloc().jobId().equals(jobId) && r.alloc().desiredStatus().equals(Allocation.DESIRED_RUN))
                .toList();
    }

    private CompletableFuture<Void> stopRunner(AllocRunner runner, String reason) {
        return runner.stop(reason).whenComplete((v, e) -> persist(runner));
    }

    /** Stops a job's allocations; with purge the job and its allocations are forgotten afterwards. */
    public synchronized CompletableFuture<Void> stopJob(String jobId, boolean purge) {
        var stored = job(jobId).orElseThrow(() -> DroverException.notFound("job \"" + jobId + "\" not found"));
        services.state().put(Bucket.JOBS, jobId, new StoredJob(stored.job(), stored.version() + 1, stored.submitTime(), true));
        var stopping = liveAllocs(jobId).stream().map(r -> stopRunner(r, "job stopped")).toArray(CompletableFuture[]::new);
        var all = CompletableFuture.allOf(stopping);
        if (purge) all = all.thenRun(() -> purge(jobId));
        return all;
    }

    private void purge(String jobId) {
        for (var runner : allocations(jobId)) drop(runner); // their dirs go with the next garbage collection
        services.state().delete(Bucket.JOBS, jobId);
    }

    /**
     * Forgets a terminal allocation for the garbage collector: the API answers 404 for it from now
     * on and its state is deleted. False if it is not ours or not terminal (any more).
     */
    public synchronized boolean forget(AllocRunner runner) {
        if (runners.get(runner.alloc().id()) != runner || !runner.terminal()) return false;
        drop(runner);
        return true;
    }

    private void drop(AllocRunner runner) {
        String id = runner.alloc().id();
        runners.remove(id);
        persisted.remove(id);
        services.state().delete(Bucket.ALLOCS, id);
        for (String task : runner.taskNames()) {
            services.state().delete(Bucket.TASK_STATES, id + "/" + task);
            services.state().delete(Bucket.TASK_LOCAL, id + "/" + task);
        }
        services.telemetry().forget(id);
    }

    public Optional<StoredJob> job(String jobId) {
        return services.state().get(Bucket.JOBS, jobId, StoredJob.class);
    }

    public List<String> jobIds() {
        return services.state().keys(Bucket.JOBS);
    }

    /** Newest first; the allocations of one registration share a CreateTime, so then by index. */
    private static final Comparator<AllocRunner> NEWEST_FIRST = Comparator
            .comparingLong((AllocRunner r) -> r.alloc().createTime())
            .thenComparingInt(r -> r.alloc().index()).reversed();

    public List<AllocRunner> allocations(String jobId) {
        return runners.values().stream().filter(r -> r.alloc().jobId().equals(jobId)).sorted(NEWEST_FIRST).toList();
    }

    public List<AllocRunner> allocations() {
        return runners.values().stream().sorted(NEWEST_FIRST).toList();
    }

    /** Finds an allocation by full id or by a unique prefix (the CLI shows 8-char ids). */
    public AllocRunner allocation(String idOrPrefix) {
        var exact = runners.get(idOrPrefix);
        if (exact != null) return exact;
        var matches = runners.values().stream().filter(r -> r.alloc().id().startsWith(idOrPrefix)).toList();
        if (matches.size() == 1 && idOrPrefix.length() >= 1) return matches.getFirst();
        if (matches.isEmpty()) throw DroverException.notFound("allocation \"" + idOrPrefix + "\" not found");
        throw DroverException.invalid("allocation prefix \"" + idOrPrefix + "\" matches " + matches.size() + " allocations; give more characters");
    }

    /** Re-creates runners for the allocations in the state store after an agent restart. */
    public void restore() {
        for (String id : services.state().keys(Bucket.ALLOCS)) {
            var alloc = services.state().get(Bucket.ALLOCS, id, Allocation.class).orElseThrow();
            try {
                var job = JobJson.fromJson(alloc.job());
                alloc.ports().forEach(p -> ports.markUsed(p.value()));
                var runner = new AllocRunner(services, alloc, job, this::persist);
                runners.put(id, runner);
                runner.start();
                // An agent that died while stopping it: finish the stop (a reattached task gets its kill_signal).
                if (alloc.desiredStatus().equals(Allocation.DESIRED_STOP) && !runner.terminal()) runner.stop("allocation stopped before the agent restarted");
            } catch (RuntimeException e) {
                LOG.warning("could not restore allocation " + id + ": " + e.getMessage());
            }
        }
    }

    /**
     * Agent shutdown without drain: tasks keep running for the next agent to reattach. Stops already
     * under way are finished first (for up to max_kill_timeout + 15 s), so their plugins are released
     * and the next agent does not find a task half-stopped.
     */
    public void detachAll() {
        var stopping = CompletableFuture.allOf(runners.values().stream().map(AllocRunner::detach).toArray(CompletableFuture[]::new));
        try {
            stopping.get(services.maxKillTimeout().toMillis() + 15_000, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            LOG.warning("tasks being stopped were not dead after max_kill_timeout + 15s; the next agent finishes their stop");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            LOG.warning("waiting for stopping tasks: " + e.getCause());
        }
    }

    public static long nowNanos() {
        Instant i = Instant.now();
        return i.getEpochSecond() * 1_000_000_000L + i.getNano();
    }
}
