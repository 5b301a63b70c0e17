package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.shared.ExecutorTasks;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 8's fault suite: a mix of raw_exec and exec tasks writing numbered lines, then rounds of
 * kill -9 agent + restart, kill -9 an executor (shared: the plugin host), kill -9 a logmon
 * (per_task; shared: the host again), graceful agent restart. At the end every job is stopped and
 * the agent exits; the figures are printed and every loss figure must be 0.
 *
 * <p>CI size by default (4 tasks, 2 rounds, both placements; about a minute each); bench/faults.py
 * runs it larger with -Ddrover.faults.tasks / .rounds / .seed.
 */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
class FaultSuiteTest {
    private static final int TASKS = Integer.getInteger("drover.faults.tasks", 4);
    private static final int ROUNDS = Integer.getInteger("drover.faults.rounds", 2);
    private static final long SEED = Long.getLong("drover.faults.seed", System.nanoTime());
    private static final long SETTLE_MILLIS = 60_000;

    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;

    private final Random random = new Random(SEED);
    private final Map<String, Long> figures = new LinkedHashMap<>();
    private final List<String> notes = new ArrayList<>();

    record TaskRef(String job, String alloc, String driver) {}

    @Test
    void tasksSurviveTheFaultLoopWithNoOrphansAndNoLostLines() throws Exception {
        String only = System.getProperty("drover.faults.placement", "");
        if (!only.isEmpty() && !only.equals(placement.configName())) return; // bench: one placement per run
        runSuite();
    }

    private void runSuite() throws Exception {
        String marker = "flt" + UUID.randomUUID().toString().substring(0, 6);
        long began = System.currentTimeMillis();
        try (var agent = new AgentProcess(dir, placement)) {
            var decoys = FaultChecks.Decoys.start(3, dir, agent.dataDir);
            try {
                var tasks = submit(agent.start(), marker);
                awaitAllRunning(agent, tasks);
                for (int round = 1; round <= ROUNDS; round++) {
                    agentRestart(agent, tasks, true);
                    killExecutor(agent, tasks);
                    killLogmon(agent, tasks);
                    agentRestart(agent, tasks, false);
                }
                stopEverything(agent, tasks);
                audit(agent, tasks, marker, decoys);
            } finally {
                decoys.stop();
                keepAgentLog(agent);
            }
        }
        figures.put("runtime_seconds", (System.currentTimeMillis() - began) / 1000);
        report();
        for (var loss : List.of("orphan_processes", "orphan_cgroup_leaves", "lost_lines", "duplicated_lines", "garbled_lines",
                "wrong_pid_signals", "executor_kills_not_handled", "logmon_kills_not_handled")) {
            assertEquals(0, figures.getOrDefault(loss, 0L), loss + " must be 0; " + figures + "\n" + String.join("\n", notes));
        }
        assertEquals(figures.get("reattach_expected"), figures.get("reattached"), "every task reattached: " + figures + "\n" + notes);
    }

    private List<TaskRef> submit(AgentProcess agent, String marker) throws Exception {
        var out = new ArrayList<TaskRef>();
        for (int i = 0; i < TASKS; i++) {
            String driver = i % 2 == 0 ? "raw_exec" : "exec";
            boolean fast = i % 4 == 2; // a task that rotates its log files during the run
            String job = "f" + i;
            String script = FaultChecks.writerScript(marker, fast ? 0.005 : 0.05, fast ? 400 : 20);
            String alloc = agent.run("""
                    job "%s" {
                      group "g" {
                        restart {
                          attempts = 100
                          interval = "1h"
                          delay    = "1s"
                          mode     = "delay"
                        }
                        task "t" {
                          driver = "%s"
                          kill_timeout = "2s"
                          logs {
                            max_files     = 200
                            max_file_size = 1
                          }
                          config {
                            command = "/bin/sh"
                            args    = ["-c", %s]
                          }
                        }
                      }
                    }
                    """.formatted(job, driver, dev.drover.sdk.rpc.Wire.JSON.writeValueAsString(script))).getFirst();
            out.add(new TaskRef(job, alloc, driver));
        }
        return out;
    }

    private void awaitAllRunning(AgentProcess agent, List<TaskRef> tasks) throws Exception {
        for (var t : tasks) agent.awaitState(t.alloc(), "t", "running", SETTLE_MILLIS);
    }

    private Map<String, Long> starts(AgentProcess agent, List<TaskRef> tasks) throws Exception {
        var out = new LinkedHashMap<String, Long>();
        for (var t : tasks) out.put(t.alloc(), AgentProcess.starts(agent.taskState(t.alloc(), "t")));
        return out;
    }

    private void add(String figure, long n) {
        figures.merge(figure, n, Long::sum);
    }

    /** Restarts the agent (kill -9 or SIGTERM) while tasks write; each must come back reattached, not started again. */
    private void agentRestart(AgentProcess agent, List<TaskRef> tasks, boolean kill) throws Exception {
        var before = starts(agent, tasks);
        if (kill) agent.kill9(); else agent.stopGracefully();
        Thread.sleep(500 + random.nextInt(1000)); // tasks write on while no agent runs
        agent.start();
        add(kill ? "agent_kill9_restarts" : "agent_graceful_restarts", 1);
        for (var t : tasks) {
            add("reattach_expected", 1);
            var state = agent.awaitState(t.alloc(), "t", "running", SETTLE_MILLIS);
            if (AgentProcess.starts(state) == before.get(t.alloc())) {
                add("reattached", 1);
            } else {
                notes.add((kill ? "kill -9" : "graceful") + " restart: " + t + " was started again: " + AgentFixture.eventTypes(state) + " " + exits(state));
            }
        }
    }

    /**
     * per_task: one executor dies; its task's whole tree must die, the task fail with "Executor
     * Died" and be restarted by policy. shared: the host dies; a new host adopts every task.
     */
    private void killExecutor(AgentProcess agent, List<TaskRef> tasks) throws Exception {
        awaitAllRunning(agent, tasks);
        var before = starts(agent, tasks);
        var executors = agent.plugins("executor");
        assertTrue(!executors.isEmpty(), "no executor process found: " + ProcScan.withCmdline("PluginMain"));
        var victim = executors.get(random.nextInt(executors.size()));
        var tree = ProcScan.descendants(victim.pid());
        assertTrue(Native.kill(victim.pid(), Native.SIGKILL));
        add("executor_kills", 1);
        if (placement == PluginPlacement.SHARED) {
            awaitNewHost(agent, victim);
            awaitAllRunning(agent, tasks);
            var after = starts(agent, tasks);
            if (!after.equals(before)) {
                add("executor_kills_not_handled", 1);
                notes.add("shared host kill restarted tasks: " + before + " -> " + after);
            }
            return;
        }
        // per_task: the victim's tree dies and exactly that task restarts.
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        List<ProcScan.Proc> left = tree;
        while (System.currentTimeMillis() < deadline && !(left = tree.stream().filter(ProcScan.Proc::alive).toList()).isEmpty()) {
            Thread.sleep(100);
        }
        boolean handled = left.isEmpty();
        if (!handled) notes.add("executor " + victim.pid() + " killed, its tree survives: " + left);
        var restarted = new ArrayList<TaskRef>();
        deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (restarted.isEmpty() && System.currentTimeMillis() < deadline) {
            for (var t : tasks) {
                var state = agent.taskState(t.alloc(), "t");
                if (AgentProcess.starts(state) > before.get(t.alloc()) && state.path("State").asString().equals("running")) restarted.add(t);
            }
            Thread.sleep(100);
        }
        if (restarted.size() != 1) {
            handled = false;
            notes.add("executor kill: expected one task restarted, got " + restarted);
        } else {
            var events = agent.taskState(restarted.getFirst().alloc(), "t").path("Events");
            boolean died = events.valueStream().anyMatch(e -> e.path("Details").path("exit_message").asString("").equals(ExecutorTasks.EXECUTOR_DIED));
            if (!died) {
                handled = false;
                notes.add("executor kill: no \"" + ExecutorTasks.EXECUTOR_DIED + "\" event: " + events);
            }
        }
        if (!handled) add("executor_kills_not_handled", 1);
        awaitAllRunning(agent, tasks);
    }

    /** Shared: the killed host is gone and one new host serves; then the next fault may come. */
    private void awaitNewHost(AgentProcess agent, ProcScan.Proc victim) throws Exception {
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (System.currentTimeMillis() < deadline && (victim.alive() || agent.plugins("executor").size() != 1)) Thread.sleep(100);
        Thread.sleep(2000); // the new host restores every session
    }

    /** per_task: one logmon dies; a new one takes over and no task restarts. shared: the host dies again. */
    private void killLogmon(AgentProcess agent, List<TaskRef> tasks) throws Exception {
        awaitAllRunning(agent, tasks);
        var before = starts(agent, tasks);
        var logmons = agent.plugins("logmon");
        assertTrue(!logmons.isEmpty(), "no logmon process found");
        var victim = logmons.get(random.nextInt(logmons.size()));
        assertTrue(Native.kill(victim.pid(), Native.SIGKILL));
        add("logmon_kills", 1);
        int expected = placement == PluginPlacement.SHARED ? 1 : tasks.size();
        long deadline = System.currentTimeMillis() + SETTLE_MILLIS;
        while (System.currentTimeMillis() < deadline && (agent.plugins("logmon").size() != expected || victim.alive())) Thread.sleep(100);
        Thread.sleep(1000); // lines written while it was away now flow through the new one
        var after = starts(agent, tasks);
        if (agent.plugins("logmon").size() != expected || !after.equals(before)) {
            add("logmon_kills_not_handled", 1);
            notes.add("logmon kill: " + agent.plugins("logmon").size() + " logmons (want " + expected + "), starts " + before + " -> " + after);
        }
    }

    /** Stops every job, waits for the tasks to be dead, then stops the agent (nothing left to supervise). */
    private void stopEverything(AgentProcess agent, List<TaskRef> tasks) throws Exception {
        Thread.sleep(1000);
        for (var t : tasks) assertEquals(200, agent.call("DELETE", "/v1/job/" + t.job(), null).status());
        for (var t : tasks) agent.awaitState(t.alloc(), "t", "dead", SETTLE_MILLIS);
        agent.stopGracefully();
    }

    private void audit(AgentProcess agent, List<TaskRef> tasks, String marker, FaultChecks.Decoys decoys) throws Exception {
        var decoyProcs = decoys.procs();
        var allocs = tasks.stream().map(TaskRef::alloc).toList();
        long deadline = System.currentTimeMillis() + 10_000;
        List<ProcScan.Proc> orphans;
        List<Path> leaves;
        while (true) {
            orphans = FaultChecks.leftovers(agent.dataDir, marker, decoyProcs);
            leaves = FaultChecks.cgroupLeaves(allocs);
            if ((orphans.isEmpty() && leaves.isEmpty()) || System.currentTimeMillis() > deadline) break;
            Thread.sleep(100);
        }
        add("orphan_processes", orphans.size() + FaultChecks.processesIn(leaves));
        add("orphan_cgroup_leaves", leaves.size());
        if (!orphans.isEmpty()) notes.add("orphans: " + orphans);
        if (!leaves.isEmpty()) notes.add("cgroup leaves left: " + leaves);
        for (var t : tasks) {
            var audit = FaultChecks.auditLog(agent.dataDir.resolve("alloc").resolve(t.alloc()), "t", marker);
            add("log_lines", audit.lines());
            add("task_runs", audit.runs());
            add("lost_lines", audit.lost());
            add("duplicated_lines", audit.duplicated());
            add("garbled_lines", audit.garbled());
            audit.problems().forEach(p -> notes.add(t.job() + " (" + t.driver() + "): " + p));
        }
        add("wrong_pid_signals", decoys.signalled());
    }

    /** The agent's log (all its starts) next to the test reports, for a failure's diagnosis. */
    private void keepAgentLog(AgentProcess agent) {
        try {
            var target = Path.of("target", "fault-suite-" + placement.configName() + "-" + SEED + "-agent.log");
            java.nio.file.Files.copy(dir.resolve("agent.log"), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (java.io.IOException e) {
            notes.add("agent log not kept: " + e.getMessage());
        }
    }

    /** Why a task ended, from its Terminated events: for notes about unexpected restarts. */
    private static List<String> exits(tools.jackson.databind.JsonNode state) {
        return state.path("Events").valueStream().filter(e -> e.path("Type").asString().equals("Terminated"))
                .map(e -> e.path("DisplayMessage").asString("")).toList();
    }

    private void report() {
        var out = new StringBuilder("FAULT SUITE placement=" + placement.configName() + " tasks=" + TASKS + " rounds=" + ROUNDS + " seed=" + SEED + "\n");
        figures.forEach((k, v) -> out.append("  ").append(k).append(" = ").append(v).append('\n'));
        out.append("  tasks reattached / expected = ").append(figures.get("reattached")).append(" / ").append(figures.get("reattach_expected")).append('\n');
        notes.forEach(n -> out.append("  note: ").append(n).append('\n'));
        System.out.print(out);
        String file = System.getProperty("drover.faults.report");
        if (file != null) {
            try {
                java.nio.file.Files.writeString(Path.of(file), out, java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
