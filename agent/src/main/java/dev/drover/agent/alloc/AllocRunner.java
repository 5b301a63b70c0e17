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

/** Runs one allocation: builds its directory and drives a {@link TaskRunner} per task. */
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

    public AllocRunner(AgentServices services, Allocation alloc, Job job, Consumer<AllocRunner> onUpdate) {
        this.services = services;
        this.alloc = alloc;
        this.onUpdate = onUpdate;
        this.dir = new AllocDir(services.allocRoot().resolve(alloc.id()));
        TaskGroup group = job.groups().stream().filter(g -> g.name().equals(alloc.taskGroup())).findFirst()
                .orElseThrow(() -> new IllegalStateException("job " + job.id() + " has no group " + alloc.taskGroup()));
        for (var task : group.tasks()) {
            tasks.put(task.name(), new TaskRunner(services, alloc, job, group, task, dir, t -> onUpdate.accept(this)));
        }
    }

    public Allocation alloc() {
        return alloc;
    }

    public AllocDir dir() {
        return dir;
    }

    public void start() {
        dir.build();
        tasks.values().forEach(TaskRunner::start);
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
        tasks.values().forEach(t -> Thread.ofVirtual().start(() -> t.kill(reason)));
        return CompletableFuture.allOf(tasks.values().stream().map(TaskRunner::done).toArray(CompletableFuture[]::new));
    }

    /** Leaves the tasks running for a later agent (the default on agent shutdown). */
    public void detach() {
        tasks.values().forEach(TaskRunner::detach);
    }
}
