package dev.drover.agent.alloc;

import dev.drover.agent.job.Task;
import dev.drover.agent.task.EventTypes;
import dev.drover.agent.task.TaskEventRecord;
import dev.drover.agent.task.TaskRunner;
import dev.drover.agent.task.TaskStateView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Predicate;

/**
 * Orders a group's tasks by their {@code lifecycle} hooks and ends the group together, as Nomad's
 * alloc runner and task hook coordinator do.
 * <pre>
 *  prestart ──(ephemeral: exited 0, sidecar: started)──▶ main ──(all started)──▶ poststart
 *  every task but the poststop ones dead ──────────────────────────────────────▶ poststop
 * </pre>
 * A task that fails for good stops its siblings ("Sibling Task Failed"); a leader that ends stops
 * them ("Leader Task Dead"); when only sidecars are left they are stopped ("Main Tasks Dead").
 * Stopping (by that or by a stop of the allocation) goes leader first, then the other non-sidecar
 * tasks, then the sidecars. Poststop tasks are never stopped that way: they run once the rest is
 * dead, whether it exited or was killed.
 */
final class LifecycleCoordinator {
    enum Phase { PRESTART, MAIN, POSTSTART, POSTSTOP }

    private record Member(Task spec, TaskRunner runner, Phase phase) {
        boolean sidecar() {
            return spec.lifecycle() != null && spec.lifecycle().sidecar();
        }

        TaskStateView state() {
            return runner.state();
        }

        boolean dead() {
            return state().state().equals(TaskStateView.DEAD);
        }

        boolean started() {
            return state().startedAt() != 0;
        }
    }

    private final List<Member> members = new ArrayList<>();
    private final boolean hasSidecars;
    private final Map<Phase, CompletableFuture<Void>> gates = new LinkedHashMap<>();
    /** Set once the group is being stopped, so the stop is ordered and announced only once. */
    private boolean stopping;

    LifecycleCoordinator(List<Task> specs, Map<String, TaskRunner> runners) {
        for (var spec : specs) members.add(new Member(spec, runners.get(spec.name()), phase(spec)));
        hasSidecars = members.stream().anyMatch(Member::sidecar);
        gates.put(Phase.PRESTART, CompletableFuture.completedFuture(null));
        gates.put(Phase.MAIN, new CompletableFuture<>());
        gates.put(Phase.POSTSTART, new CompletableFuture<>());
        gates.put(Phase.POSTSTOP, new CompletableFuture<>());
    }

    static Phase phase(Task task) {
        if (task.lifecycle() == null) return Phase.MAIN;
        return switch (task.lifecycle().hook()) {
            case "prestart" -> Phase.PRESTART;
            case "poststart" -> Phase.POSTSTART;
            default -> Phase.POSTSTOP;
        };
    }

    /** Holds every task's first start until its phase may begin; call before the runners start. */
    void gate() {
        for (var m : members) m.runner().gateStart(gates.get(m.phase()));
    }

    /** Re-evaluates the gates and the group's end; called on every task state change. */
    void update() {
        List<Member> toStop;
        TaskEventRecord why;
        synchronized (this) {
            openGates();
            if (stopping) return;
            var live = members.stream().filter(m -> m.phase() != Phase.POSTSTOP && !m.dead()).toList();
            why = stopReason(live);
            if (why == null || live.isEmpty()) return;
            stopping = true;
            toStop = live;
        }
        String reason = why.displayMessage();
        Thread.ofVirtual().name("group-stop").start(() -> {
            toStop.forEach(m -> m.runner().recordEvent(why)); // the cause first, then each task's Killing
            stopInOrder(toStop, reason);
        });
    }

    private void openGates() {
        if (all(Phase.PRESTART, m -> m.sidecar() ? m.started() : m.dead() && !m.state().failed())) open(Phase.MAIN);
        if (gates.get(Phase.MAIN).isDone() && all(Phase.MAIN, Member::started)) open(Phase.POSTSTART);
        if (members.stream().filter(m -> m.phase() != Phase.POSTSTOP).allMatch(Member::dead)) open(Phase.POSTSTOP);
    }

    /** Nomad's order of checks: a failed task, then the leader's end, then only sidecars left. */
    private TaskEventRecord stopReason(List<Member> live) {
        for (var m : members) {
            if (!m.dead()) continue;
            if (m.state().failed()) return EventTypes.siblingFailed(m.spec().name());
            if (m.spec().leader()) return EventTypes.leaderDead();
        }
        if (hasSidecars && !live.isEmpty() && live.stream().allMatch(Member::sidecar)) return EventTypes.mainDead();
        return null;
    }

    private boolean all(Phase phase, Predicate<Member> condition) {
        return members.stream().filter(m -> m.phase() == phase).allMatch(condition);
    }

    private void open(Phase phase) {
        gates.get(phase).complete(null);
    }

    /** Stops the allocation: every task but the poststop ones, which then run; completes when all are done. */
    CompletableFuture<Void> stopAll(String reason) {
        List<Member> toStop;
        synchronized (this) {
            stopping = true;
            toStop = members.stream().filter(m -> m.phase() != Phase.POSTSTOP && !m.dead()).toList();
        }
        Thread.ofVirtual().name("alloc-stop").start(() -> stopInOrder(toStop, reason));
        return CompletableFuture.allOf(members.stream().map(m -> m.runner().done()).toArray(CompletableFuture[]::new));
    }

    /** Leader first, then the other non-sidecar tasks together, then the sidecars together. */
    private static void stopInOrder(List<Member> toStop, String reason) {
        stopTogether(toStop.stream().filter(m -> m.spec().leader()).toList(), reason);
        stopTogether(toStop.stream().filter(m -> !m.spec().leader() && !m.sidecar()).toList(), reason);
        stopTogether(toStop.stream().filter(m -> !m.spec().leader() && m.sidecar()).toList(), reason);
    }

    private static void stopTogether(List<Member> group, String reason) {
        for (var m : group) Thread.ofVirtual().start(() -> m.runner().kill(reason));
        for (var m : group) m.runner().done().join();
    }
}
