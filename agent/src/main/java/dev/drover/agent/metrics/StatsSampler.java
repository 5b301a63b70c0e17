package dev.drover.agent.metrics;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.task.TaskRunner;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.TaskIdentity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads every running task's resource usage from its driver once per interval (Nomad's stats
 * hook, client {@code collection_interval} 1s) and keeps the latest reading. Scrapes and the
 * stats API read this cache, so a scrape costs no plugin calls however many tasks run.
 */
public final class StatsSampler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StatsSampler.class.getName());
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(1);

    private final AllocManager allocs;
    private final Duration interval;
    private final HostStats.Reader hostReader;
    private final PluginCensus census;
    private final Map<String, TaskSample> samples = new ConcurrentHashMap<>();
    /** Previous CPU times per task key: {sampledAt nanoTime, user ns, system ns}. */
    private final Map<String, long[]> previousCpu = new ConcurrentHashMap<>();
    private volatile HostStats host;
    private volatile boolean closed;
    private Thread thread;

    public StatsSampler(AllocManager allocs, Duration interval, HostStats.Reader hostReader, PluginCensus census) {
        this.allocs = allocs;
        this.interval = interval;
        this.hostReader = hostReader;
        this.census = census;
    }

    public synchronized void start() {
        if (thread != null) return;
        thread = Thread.ofPlatform().daemon().name("stats-sampler").start(this::loop);
    }

    private void loop() {
        while (!closed) {
            long began = System.nanoTime();
            try {
                sampleOnce();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "stats sampling failed", e);
            }
            long left = interval.toNanos() - (System.nanoTime() - began);
            try {
                if (left > 0) TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One round: every running task's driver is asked at once (virtual threads), then the host. */
    public void sampleOnce() {
        var running = new HashSet<String>();
        var pending = new ArrayList<Future<?>>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (var alloc : allocs.allocations()) {
                for (String name : alloc.taskNames()) {
                    var runner = alloc.task(name);
                    String id = runner.currentTaskId();
                    if (id == null) continue;
                    var task = alloc.alloc().identity(name);
                    running.add(task.key());
                    pending.add(pool.submit(() -> sample(runner, id, task)));
                }
            }
            for (var f : pending) {
                try {
                    f.get(Math.max(interval.toMillis() * 5, 5_000), TimeUnit.MILLISECONDS);
                } catch (Exception e) {
                    f.cancel(true);
                }
            }
        }
        // Gauges of a task that no longer runs would show stale usage: they go.
        samples.keySet().retainAll(running);
        previousCpu.keySet().retainAll(running);
        synchronized (hostReader) {
            host = hostReader.read();
        }
        census.refreshIfOld(running.size());
    }

    private void sample(TaskRunner runner, String taskId, TaskIdentity task) {
        ResourceUsage usage;
        try {
            usage = runner.context().driver.taskStats(taskId);
        } catch (RuntimeException e) {
            samples.remove(task.key()); // exited meanwhile, or its plugin is gone
            LOG.fine("stats of " + taskId + ": " + e.getMessage());
            return;
        }
        long now = System.nanoTime();
        long[] cpuNow = {now, usage.cpu().userNanos(), usage.cpu().systemNanos()};
        long[] before = previousCpu.put(task.key(), cpuNow);
        double user = 0, system = 0;
        if (before != null && now > before[0]) {
            double elapsed = now - before[0];
            user = Math.max(0, 100.0 * (cpuNow[1] - before[1]) / elapsed);
            system = Math.max(0, 100.0 * (cpuNow[2] - before[2]) / elapsed);
        }
        var res = runner.context().task.resources();
        long limit = (long) Math.max(res.memoryMB(), res.memoryMaxMB()) * 1024 * 1024;
        var logs = runner.logStats().orElse(null); // one more call, to the task's logmon
        samples.put(task.key(), new TaskSample(task, usage, limit, user, system, Clock.unixNanos(), logs));
    }

    /**
     * The latest reading of a running task; one taken now if the task started after the last
     * round. Empty when it does not run.
     */
    public Optional<TaskSample> latest(AllocRunner alloc, String task) {
        var cached = samples.get(alloc.alloc().id() + "/" + task);
        if (cached != null) return Optional.of(cached);
        var runner = alloc.task(task);
        String id = runner.currentTaskId();
        if (id == null) return Optional.empty();
        sample(runner, id, alloc.alloc().identity(task));
        return Optional.ofNullable(samples.get(alloc.alloc().id() + "/" + task));
    }

    /** The latest reading of a task, if it ran at the last round. */
    public Optional<TaskSample> sample(String allocId, String task) {
        return Optional.ofNullable(samples.get(allocId + "/" + task));
    }

    public Map<String, TaskSample> samples() {
        return Map.copyOf(samples);
    }

    /** The host's stats of the last round (read now if there was none yet). */
    public HostStats host() {
        var h = host;
        if (h == null) {
            synchronized (hostReader) {
                h = host == null ? hostReader.read() : host;
                host = h;
            }
        }
        return h;
    }

    @Override
    public void close() {
        closed = true;
        Thread t;
        synchronized (this) {
            t = thread;
        }
        if (t != null) {
            t.interrupt();
            try {
                t.join(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
