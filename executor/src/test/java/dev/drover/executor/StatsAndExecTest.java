package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.proc.Reaper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Resource usage of a running tree, and one-shot commands in a task's context. */
@Timeout(60)
class StatsAndExecTest {
    static UniversalExecutor executor;
    static UniversalExecutor withoutCgroups;

    @TempDir Path temp;
    TaskFixture task;
    final List<Runnable> cleanups = new ArrayList<>();

    @BeforeAll
    static void start() {
        Reaper.startAsSubreaper();
        executor = new UniversalExecutor();
        withoutCgroups = new UniversalExecutor(Cgroups.disabled(), Spawner.withTempDir());
    }

    @BeforeEach
    void fixture() throws Exception {
        task = new TaskFixture(temp);
    }

    @AfterEach
    void cleanup() {
        cleanups.forEach(Runnable::run);
    }

    private void launch(UniversalExecutor on, String id, dev.drover.sdk.executor.ExecCommand command) {
        on.launch(id, command);
        cleanups.add(() -> on.destroy(id));
    }

    @Test
    void statsShowRssAndRisingCpuForABusyLoop() throws Exception {
        for (var on : List.of(executor, withoutCgroups)) {
            var t = new TaskFixture(temp);
            String id = "busy-" + (on == executor ? "cg" : "nocg");
            launch(on, id, t.sh("while :; do :; done"));
            var first = on.stats(id);
            Thread.sleep(700);
            var second = on.stats(id);
            assertTrue(second.memory().rss() > 0, "rss: " + second);
            assertTrue(second.processes() >= 1, "processes: " + second);
            assertTrue(second.cpu().totalNanos() > first.cpu().totalNanos(), "cpu rising: " + first + " → " + second);
            // Not "most of a core": on a loaded machine the loop gets what the scheduler gives it.
            assertTrue(second.cpu().percent() > 0, "a busy loop shows CPU use: " + second.cpu().percent());
            assertTrue(second.timestampNanos() > first.timestampNanos());
            on.shutdown(id, "SIGKILL", 0);
        }
    }

    @Test
    void statsCountEveryProcessOfTheTree() throws Exception {
        launch(executor, "count", task.sh("sleep 1000 & setsid sleep 1000 & echo started; wait"));
        task.stdout.awaitText("started", java.time.Duration.ofSeconds(10));
        long deadline = System.currentTimeMillis() + 5_000;
        while (executor.stats("count").processes() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(3, executor.stats("count").processes());
    }

    @Test
    void execRunsInTheTaskContext() throws Exception {
        var env = Map.of("PATH", "/usr/bin:/bin", "GREETING", "hello");
        launch(executor, "ctx", task.command("sleep", List.of("1000"), env, "", "", task.cgroup));
        task.script(task.taskDir.resolve("local/check.sh"), "echo \"$GREETING from $(pwd)\"; echo oops >&2; exit 4");
        var result = executor.exec("ctx", 10_000, "check.sh", List.of());
        assertEquals(4, result.exitCode());
        String out = new String(result.output(), StandardCharsets.UTF_8);
        assertEquals("hello from " + task.taskDir.toRealPath() + "\noops\n", out);
    }

    @Test
    void execOutputIsCappedToItsTail() throws Exception {
        launch(executor, "cap", task.command("sleep", "1000"));
        var result = executor.exec("cap", 10_000, "/bin/sh",
                List.of("-c", "head -c 10000 /dev/zero | tr '\\0' a; echo; echo END"));
        assertEquals(0, result.exitCode());
        assertEquals(ExecResult.MAX_OUTPUT, result.output().length);
        assertTrue(new String(result.output(), StandardCharsets.UTF_8).endsWith("aaa\nEND\n"));
    }

    @Test
    void execIsKilledWithItsGroupAtTheDeadline() throws Exception {
        launch(executor, "slow", task.command("sleep", "1000"));
        long start = System.nanoTime();
        var result = executor.exec("slow", 500, "/bin/sh", List.of("-c", "echo begun; sleep 1000 & sleep 1000"));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        assertTrue(tookMillis >= 450 && tookMillis < 5_000, "took " + tookMillis + " ms");
        assertEquals(128 + 9, result.exitCode());
        assertEquals("begun\n", new String(result.output(), StandardCharsets.UTF_8));
        assertOnlyMainProcessLeft("slow");
    }

    @Test
    void execLeftoversDoNotOutliveIt() throws Exception {
        launch(executor, "bg", task.command("sleep", "1000"));
        long start = System.nanoTime();
        var result = executor.exec("bg", 20_000, "/bin/sh", List.of("-c", "sleep 1000 & echo started"));
        assertTrue((System.nanoTime() - start) / 1_000_000 < 5_000, "a background child holding the pipe does not stall exec");
        assertEquals(0, result.exitCode());
        assertEquals("started\n", new String(result.output(), StandardCharsets.UTF_8));
        assertOnlyMainProcessLeft("bg");
    }

    @Test
    void execErrors() {
        launch(executor, "err", task.command("sleep", "1000"));
        var e = assertThrows(DroverException.class, () -> executor.exec("err", 1000, "no-such-cmd-xyz", List.of()));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        assertTrue(e.getMessage().startsWith("failed to exec \"no-such-cmd-xyz\" in task err: executable"), e.getMessage());
        assertEquals(DroverException.Kind.NOT_FOUND,
                assertThrows(DroverException.class, () -> executor.exec("nope", 1000, "true", List.of())).kind());
        assertEquals(DroverException.Kind.INVALID_CONFIG,
                assertThrows(DroverException.class, () -> executor.exec("err", 0, "true", List.of())).kind());
    }

    private void assertOnlyMainProcessLeft(String id) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (executor.stats(id).processes() != 1 && System.currentTimeMillis() < deadline) Thread.sleep(20);
        assertEquals(1, executor.stats(id).processes(), "only the task's own process remains in its cgroup");
    }
}
