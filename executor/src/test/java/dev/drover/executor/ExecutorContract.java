package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Executor;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every executor must do, whatever it runs tasks in: one suite, run against each
 * implementation through the {@link Executor} interface (a subclass per implementation).
 */
@Timeout(60)
abstract class ExecutorContract {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir Path temp;
    TaskFixture task;
    final List<String> sessions = new ArrayList<>();

    /** The executor under test; one per test class. */
    abstract Executor executor();

    /** Turns a plain command into what this executor runs (e.g. adds the sandbox settings). */
    abstract ExecCommand adapt(ExecCommand command);

    /** The task's working directory as the task itself sees it. */
    abstract String visibleTaskDir(TaskFixture task);

    /** Where the task's cgroup leaf lives in the cgroup2 hierarchy, if the host has one. */
    abstract Cgroups cgroups();

    @BeforeAll
    static void subreaper() {
        assertTrue(Native.isRoot(), "prerequisite missing: the executor suites need root (run the tests as root)");
        Reaper.startAsSubreaper(); // as in the plugin process
    }

    @BeforeEach
    void fixture() throws Exception {
        task = new TaskFixture(temp);
    }

    @AfterEach
    void cleanup() {
        for (String id : sessions) {
            try {
                executor().destroy(id);
            } catch (DroverException e) {
                // destroyed by the test already
            }
        }
    }

    ProcessState launch(String id, ExecCommand command) {
        sessions.add(id);
        return executor().launch(id, adapt(command));
    }

    ExecCommand sh(String script) {
        return task.sh(script);
    }

    ExecCommand command(String cmd, List<String> args, Map<String, String> env, String user, String workDir) {
        return task.command(cmd, args, env, user, workDir, task.cgroup);
    }

    @Test
    void outputGoesToTheRightFifosAndTheExitCodeIsReported() throws Exception {
        var started = launch("out", sh("echo out; echo err >&2; exit 3"));
        assertTrue(started.pid() > 0);
        var state = executor().await("out");
        assertEquals(3, state.exitCode());
        assertEquals(0, state.signal());
        assertEquals(started.pid(), state.pid());
        assertEquals("out\n", task.stdout.awaitEof(WAIT));
        assertEquals("err\n", task.stderr.awaitEof(WAIT));
    }

    @Test
    void theTaskGetsItsEnvironmentAndWorkingDirectory() throws Exception {
        Files.createDirectories(task.taskDir.resolve("local/sub"));
        launch("env", command("/bin/sh", List.of("-c", "echo \"A=$A\"; echo \"B=$B\"; pwd"),
                Map.of("A", "1", "B", "two words", "PATH", "/usr/bin:/bin"), "", "local/sub"));
        assertEquals(0, executor().await("env").exitCode());
        assertEquals("A=1\nB=two words\n" + visibleTaskDir(task) + "/local/sub\n", task.stdout.awaitEof(WAIT));
    }

    @Test
    void runsAsTheGivenUser() throws Exception {
        launch("user", command("/bin/sh", List.of("-c", "id -u; id -g"), TaskFixture.ENV, "nobody", ""));
        assertEquals(0, executor().await("user").exitCode());
        var pw = LibC.getpwnam("nobody").orElseThrow();
        assertEquals(pw.uid() + "\n" + pw.gid() + "\n", task.stdout.awaitEof(WAIT));
    }

    @Test
    void aSignalReachesTheMainProcess() throws Exception {
        launch("hup", sh("trap 'echo got-hup; exit 7' HUP; echo ready; while :; do sleep 0.05; done"));
        task.stdout.awaitText("ready", WAIT);
        executor().signal("hup", "SIGHUP");
        assertEquals(7, executor().await("hup").exitCode());
        assertTrue(task.stdout.awaitEof(WAIT).contains("got-hup"));
        assertEquals(DroverException.Kind.NOT_FOUND, assertThrows(DroverException.class, () -> executor().signal("hup", "SIGHUP")).kind());
        assertEquals(DroverException.Kind.NOT_FOUND, assertThrows(DroverException.class, () -> executor().signal("nope", "SIGHUP")).kind());
    }

    @Test
    void aKillIsReportedAsASignalAndAnExit137AsAnExit() throws Exception {
        launch("kill", command("sleep", List.of("1000"), TaskFixture.ENV, "", ""));
        executor().shutdown("kill", "SIGKILL", 0);
        var killed = executor().await("kill");
        assertEquals(9, killed.signal());
        assertEquals(137, killed.exitCode());

        var other = new TaskFixture(temp);
        sessions.add("exit137");
        executor().launch("exit137", adapt(other.sh("exit 137")));
        var exited = executor().await("exit137");
        assertEquals(137, exited.exitCode());
        assertEquals(0, exited.signal(), "a plain exit 137 is not a SIGKILL");
    }

    @Test
    void manyWaitersSeeTheSameExit() throws Exception {
        launch("waiters", sh("sleep 0.3; exit 9"));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var futures = new ArrayList<java.util.concurrent.Future<ProcessState>>();
            for (int i = 0; i < 10; i++) futures.add(pool.submit((Callable<ProcessState>) () -> executor().await("waiters")));
            var first = futures.getFirst().get();
            assertEquals(9, first.exitCode());
            for (var f : futures) assertEquals(first, f.get());
        }
    }

    /** Grandchildren ignore SIGTERM and one escapes into its own session: only a tree kill gets them all. */
    @Test
    void shutdownKillsTheWholeTreeAfterTheGrace() throws Exception {
        var state = launch("tree", sh("trap '' TERM; (trap '' TERM; sleep 1000) & setsid sleep 1000 & sleep 1000 & echo started; wait"));
        task.stdout.awaitText("started", WAIT);
        var tree = new ArrayList<>(ProcScan.descendants(state.pid()));
        ProcScan.read(state.pid()).ifPresent(tree::add);
        assertTrue(tree.size() >= 4, "main process and its three sleepers, got " + tree);
        long t0 = System.nanoTime();
        executor().shutdown("tree", "SIGTERM", 300);
        assertTrue(System.nanoTime() - t0 >= 300_000_000L, "the grace is honoured before the kill");
        assertEquals(9, executor().await("tree").signal());
        ProcessTreeTest.assertTreeGone(tree);
    }

    @Test
    void execRunsAOneShotCommandInTheTasksContext() throws Exception {
        launch("exec", command("sleep", List.of("1000"), Map.of("A", "from-task", "PATH", "/usr/bin:/bin"), "", ""));
        var result = executor().exec("exec", 10_000, "/bin/sh", List.of("-c", "echo \"A=$A\"; echo oops >&2; exit 4"));
        assertEquals(4, result.exitCode());
        String output = new String(result.output());
        assertTrue(output.contains("A=from-task"), output);
        assertTrue(output.contains("oops"), "stderr is captured too: " + output);
        var slow = executor().exec("exec", 300, "/bin/sh", List.of("-c", "sleep 30"));
        assertNotEquals(0, slow.exitCode(), "killed at the deadline");
    }

    @Test
    void statsShowMemoryAndRisingCpuOfABusyTask() throws Exception {
        launch("busy", sh("while :; do :; done"));
        var first = executor().stats("busy");
        Thread.sleep(600);
        var second = executor().stats("busy");
        assertTrue(second.cpu().totalNanos() > first.cpu().totalNanos(),
                "CPU time rises: " + first.cpu() + " → " + second.cpu());
        assertTrue(second.memory().rss() > 0, "RSS is read: " + second.memory());
        assertTrue(second.processes() >= 1);
    }

    @Test
    void sessionErrorsAreNamed() {
        assertEquals(DroverException.Kind.NOT_FOUND, assertThrows(DroverException.class, () -> executor().await("nope")).kind());
        assertEquals(DroverException.Kind.NOT_FOUND, assertThrows(DroverException.class, () -> executor().stats("nope")).kind());
        launch("dup", command("sleep", List.of("1000"), TaskFixture.ENV, "", ""));
        var dup = assertThrows(DroverException.class, () -> executor().launch("dup", adapt(task.command("sleep", "1"))));
        assertEquals(DroverException.Kind.ALREADY_EXISTS, dup.kind());
        var missing = assertThrows(DroverException.class, () -> executor().launch("missing",
                adapt(task.command("no-such-binary-xyz", List.of(), TaskFixture.ENV, "", "", task.cgroup + "-m"))));
        assertEquals(DroverException.Kind.INVALID_CONFIG, missing.kind());
        assertTrue(missing.getMessage().contains("\"no-such-binary-xyz\" not found"), missing.getMessage());
        assertEquals(ExecutorProtocol.VERSION, executor().version());
    }

    @Test
    void destroyLeavesNoProcessAndNoCgroup() throws Exception {
        var state = launch("gone", sh("sleep 1000 & sleep 1000"));
        var tree = ProcScan.descendants(state.pid());
        executor().destroy("gone");
        sessions.remove("gone");
        ProcessTreeTest.assertTreeGone(tree);
        cgroups().v2().ifPresent(v2 ->
                assertFalse(Files.exists(v2.root().resolve(Cgroups.PARENT).resolve(task.cgroup)), "no cgroup left behind"));
        assertEquals(DroverException.Kind.NOT_FOUND, assertThrows(DroverException.class, () -> executor().await("gone")).kind());
    }
}
