package dev.drover.agent.alloc;

import dev.drover.agent.AgentServices;
import dev.drover.agent.job.Job;
import dev.drover.agent.job.TaskGroup;
import dev.drover.agent.task.TaskRunner;
import dev.drover.agent.task.TaskStateView;
import dev.drover.sdk.DroverException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Runs one allocation: builds its directory and drives a {@link TaskRunner} per task, in the order
 * their lifecycle hooks ask for ({@link LifecycleCoordinator}).
 */
public final class AllocRunner {
    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String COMPLETE = "complete";
    public static final String FAILED = "failed";

    private final AgentServices services;
    private volatile Allocation alloc;
    private final AllocDir dir;
    private final Map<String, TaskRunner> tasks = new LinkedHashMap<>();
    private final Consumer<AllocRunner> onUpdate;
    private final LifecycleCoordinator lifecycle;

    public AllocRunner(AgentServices services, Allocation alloc, Job job, Consumer<AllocRunner> onUpdate) {
        this.services = services;
        this.alloc = alloc;
        this.onUpdate = onUpdate;
        this.dir = new AllocDir(services.allocRoot().resolve(alloc.id()));
        TaskGroup group = job.groups().stream().filter(g -> g.name().equals(alloc.taskGroup())).findFirst()
                .orElseThrow(() -> new IllegalStateException("job " + job.id() + " has no group " + alloc.taskGroup()));
        for (var task : group.tasks()) {
            tasks.put(task.name(), new TaskRunner(services, alloc, job, group, task, dir, t -> taskChanged()));
        }
        this.lifecycle = new LifecycleCoordinator(group.tasks(), tasks);
    }

    private void taskChanged() {
        lifecycle.update();
        onUpdate.accept(this);
    }

    public Allocation alloc() {
        return alloc;
    }

    public AllocDir dir() {
        return dir;
    }

    public void start() {
        start(0);
    }

    /** Starts the tasks; their processes wait until state write {@code allocWrite} (this alloc's record) is durable. */
    public void start(long allocWrite) {
        dir.build();
        lifecycle.gate();
        lifecycle.update(); // after an agent restart some tasks may be done already
        tasks.values().forEach(t -> t.start(allocWrite));
    }

    public Map<String, TaskStateView> taskStates() {
        var out = new LinkedHashMap<String, TaskStateView>();
        tasks.forEach((name, runner) -> out.put(name, runner.state()));
        return out;
    }

    /** Nomad's client status: failed beats running beats pending beats complete. */
    public String clientStatus() {
        boolean failed = false, running = false, pending = false;
        for (var s : taskStates().values()) {
            switch (s.state()) {
                case TaskStateView.PENDING -> pending = true;
                case TaskStateView.RUNNING -> running = true;
                default -> failed |= s.failed();
            }
        }
        if (failed) return FAILED;
        if (running) return RUNNING;
        if (pending) return PENDING;
        return COMPLETE;
    }

    public boolean terminal() {
        return tasks.values().stream().allMatch(t -> t.done().isDone());
    }

    /** Completes when every task is done, its plugins released: what {@link #terminal()} waits for. */
    public CompletableFuture<Void> allDone() {
        return CompletableFuture.allOf(tasks.values().stream().map(TaskRunner::done).toArray(CompletableFuture[]::new));
    }

    /** When the last task ended (unix nanos); the creation time if none ever ran. For the garbage collector. */
    public long terminalAt() {
        long last = tasks.values().stream().mapToLong(t -> t.state().finishedAt()).max().orElse(0);
        return last != 0 ? last : alloc.createTime();
    }

    public TaskRunner task(String name) {
        var t = tasks.get(name);
        if (t == null) {
            throw DroverException.notFound("task \"" + name + "\" not found in allocation " + alloc.shortId()
                    + "; tasks: " + String.join(", ", tasks.keySet()));
        }
        return t;
    }

    public List<String> taskNames() {
        return List.copyOf(tasks.keySet());
    }

    /** Stops every task; the future completes when all are dead. */
    public CompletableFuture<Void> stop(String reason) {
        alloc = alloc.withDesiredStatus(Allocation.DESIRED_STOP);
        onUpdate.accept(this);
        return lifecycle.stopAll(reason);
    }

    /**
     * Leaves the tasks running for a later agent (the default on agent shutdown); completes once
     * tasks that were being stopped are dead, so none is left half-stopped.
     */
    public CompletableFuture<Void> detach() {
        return CompletableFuture.allOf(tasks.values().stream().map(TaskRunner::detach).toArray(CompletableFuture[]::new));
    }
}
