package dev.drover.executor;

import dev.drover.sdk.testing.ProcScan;
import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.proc.ProcStat;
import dev.drover.sdk.proc.Reaper;
import java.io.IOException;
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

/** What only the universal executor does (host binary lookup, setpriv, process group); the rest is in {@link ExecutorContract}. */
@Timeout(30)
class UniversalExecutorTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    static UniversalExecutor executor;

    @TempDir Path temp;
    TaskFixture task;
    final List<String> sessions = new ArrayList<>();

    @BeforeAll
    static void start() {
        Reaper.startAsSubreaper(); // as in the plugin process: orphans of tasks are reaped by us
        executor = new UniversalExecutor();
    }

    @BeforeEach
    void fixture() throws Exception {
        task = new TaskFixture(temp);
    }

    @AfterEach
    void cleanup() {
        for (String id : sessions) {
            try {
                executor.destroy(id);
            } catch (DroverException e) {
                // already destroyed by the test
            }
        }
    }

    private ProcessState launch(String id, dev.drover.sdk.executor.ExecCommand command) {
        sessions.add(id);
        return executor.launch(id, command);
    }

    @Test
    void taskOutlivesItsLogReaderAndLosesNoLineMeanwhile() throws Exception {
        // stdout goes to a fifo whose reader goes away mid-run, as when logmon or a shared host dies.
        Path fifo = temp.resolve("gap.fifo");
        dev.drover.sdk.nativ.Native.mkfifo(fifo, 0600);
        var first = new java.util.concurrent.CompletableFuture<String>();
        Thread.ofPlatform().start(() -> {
            try (var in = new java.io.FileInputStream(fifo.toFile())) {
                byte[] buf = new byte[64];
                int n = in.read(buf); // just "first\n": the rest comes after a pause
                first.complete(new String(buf, 0, Math.max(n, 0), java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                first.completeExceptionally(e);
            }
        });
        var cmd = new dev.drover.sdk.executor.ExecCommand("/bin/sh", List.of("-c", "echo first; sleep 0.5; seq 1 20000; echo done"),
                TaskFixture.ENV, "", task.taskDir.toString(), "", fifo.toString(), task.stderr.path().toString(),
                TaskFixture.RESOURCES, task.cgroup);
        int pid = launch("gap", cmd).pid();
        assertEquals("first\n", first.get(10, java.util.concurrent.TimeUnit.SECONDS));
        Thread.sleep(1500); // no reader now; 20000 lines do not fit in the pipe
        assertTrue(ProcStat.read(pid).map(st -> st.state() != 'Z').orElse(false), "the task waits for a reader, alive");
        var again = new java.io.ByteArrayOutputStream();
        try (var in = new java.io.FileInputStream(fifo.toFile())) {
            in.transferTo(again);
        }
        var state = executor.await("gap");
        assertEquals(0, state.exitCode(), "no SIGPIPE (141) while nobody read");
        var expected = new StringBuilder();
        for (int i = 1; i <= 20000; i++) expected.append(i).append('\n');
        assertEquals(expected + "done\n", again.toString(java.nio.charset.StandardCharsets.UTF_8));
    }

    @Test
    void environmentIsExactlyTheGivenMap() throws Exception {
        var env = Map.of("A", "1", "B", "two words", "EMPTY", "");
        launch("env", task.command("/usr/bin/env", List.of(), env, "", "", task.cgroup));
        assertEquals(0, executor.await("env").exitCode());
        var lines = task.stdout.awaitEof(WAIT).lines().sorted().toList();
        assertEquals(List.of("A=1", "B=two words", "EMPTY="), lines);
    }

    @Test
    void workingDirectoryIsTaskDirOrWorkDir() throws Exception {
        launch("cwd", task.command("/bin/pwd"));
        executor.await("cwd");
        assertEquals(task.taskDir.toRealPath() + "\n", task.stdout.awaitEof(WAIT));

        var other = new TaskFixture(temp);
        Files.createDirectories(other.taskDir.resolve("local/work"));
        sessions.add("cwd2");
        executor.launch("cwd2", other.command("/bin/pwd", List.of(), TaskFixture.ENV, "", "local/work", other.cgroup));
        executor.await("cwd2");
        assertEquals(other.taskDir.resolve("local/work").toRealPath() + "\n", other.stdout.awaitEof(WAIT));
    }

    @Test
    void binaryLookupPrefersTaskLocalThenTaskDirThenPath() throws Exception {
        task.script(task.taskDir.resolve("local/echo"), "printf 'local %s\\n' \"$1\"");
        Path root = task.script(task.taskDir.resolve("echo"), "printf 'root %s\\n' \"$1\"");
        root.toFile().setExecutable(false, false); // found in the task dir: made executable, as Nomad does
        launch("lookup", task.command("echo", "hi"));
        executor.await("lookup");
        assertEquals("local hi\n", task.stdout.awaitEof(WAIT));

        Files.delete(task.taskDir.resolve("local/echo"));
        var second = new TaskFixture(temp);
        Files.move(root, second.taskDir.resolve("echo"));
        sessions.add("lookup2");
        executor.launch("lookup2", second.command("echo", "hi"));
        executor.await("lookup2");
        assertEquals("root hi\n", second.stdout.awaitEof(WAIT));

        var third = new TaskFixture(temp);
        sessions.add("lookup3");
        executor.launch("lookup3", third.command("echo", "hi")); // from the host PATH
        executor.await("lookup3");
        assertEquals("hi\n", third.stdout.awaitEof(WAIT));
    }

    @Test
    void missingBinaryNamesWhatWasSearched() {
        var e = assertThrows(DroverException.class, () -> launch("missing", task.command("no-such-binary-xyz")));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        assertTrue(e.getMessage().startsWith("failed to launch \"no-such-binary-xyz\": executable \"no-such-binary-xyz\" not found in "
                + task.taskDir.resolve("local") + ", " + task.taskDir + ", PATH="), e.getMessage());
        assertThrows(DroverException.class, () -> executor.await("missing"));
        executor.cgroups().v2().ifPresent(v2 ->
                assertFalse(Files.exists(v2.root().resolve(Cgroups.PARENT).resolve(task.cgroup)), "no cgroup left behind"));
    }

    @Test
    void taskRunsInItsOwnSessionAndProcessGroup() throws Exception {
        var state = launch("pgid", task.command("sleep", "1000"));
        var stat = ProcStat.read(state.pid()).orElseThrow();
        assertEquals(state.pid(), stat.pgrp());
        assertEquals(state.pid(), stat.session());
        assertEquals(stat.startTicks(), state.startTicks());
        // launch returns once the child is released to exec; on a busy machine exec may lag a little
        String cmdline = "";
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end; Thread.sleep(20)) {
            cmdline = ProcScan.read(state.pid()).orElseThrow().cmdline();
            if (cmdline.matches("(/usr)?/bin/sleep 1000.*")) break;
        }
        assertTrue(cmdline.matches("(/usr)?/bin/sleep 1000.*"), cmdline);
        executor.shutdown("pgid", "SIGTERM", 1000);
        assertEquals(15, executor.await("pgid").signal());
    }

    @Test
    void unknownSignalIsInvalid() {
        launch("badsig", task.command("sleep", "1000"));
        var e = assertThrows(DroverException.class, () -> executor.signal("badsig", "SIGNOPE"));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        assertTrue(e.getMessage().contains("unknown signal \"SIGNOPE\""), e.getMessage());
        assertThrows(DroverException.class, () -> executor.shutdown("badsig", "BOGUS", 10));
    }

    @Test
    void deathBySignalIsDistinguishedFromExitCode() throws Exception {
        launch("usr1", task.sh("kill -USR1 $$; sleep 5"));
        var killed = executor.await("usr1");
        assertEquals(128 + 10, killed.exitCode());
        assertEquals(10, killed.signal());

        var other = new TaskFixture(temp);
        sessions.add("exit137");
        executor.launch("exit137", other.sh("exit 137"));
        var exited = executor.await("exit137");
        assertEquals(137, exited.exitCode());
        assertEquals(0, exited.signal(), "a plain exit 137 is not a SIGKILL");
    }

    @Test
    void runsAsAnotherUserViaSetpriv() throws Exception {
        org.junit.jupiter.api.Assertions.assertTrue(dev.drover.sdk.nativ.Native.isRoot(), "prerequisite missing: these tests need root (run the suite as root)");
        launch("user", task.command("/bin/sh", List.of("-c", "id -u; id -g"), TaskFixture.ENV, "nobody", "", task.cgroup));
        assertEquals(0, executor.await("user").exitCode());
        var pw = LibC.getpwnam("nobody").orElseThrow();
        assertEquals(pw.uid() + "\n" + pw.gid() + "\n", task.stdout.awaitEof(WAIT));

        var e = assertThrows(DroverException.class, () -> executor.launch("nouser",
                task.command("/bin/true", List.of(), TaskFixture.ENV, "no-such-user-xyz", "", "")));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind());
        assertTrue(e.getMessage().contains("user \"no-such-user-xyz\" does not exist"), e.getMessage());
    }

    @Test
    void sessionErrors() {
        var e = assertThrows(DroverException.class, () -> executor.await("nope"));
        assertEquals(DroverException.Kind.NOT_FOUND, e.kind());
        assertEquals(DroverException.Kind.NOT_FOUND,
                assertThrows(DroverException.class, () -> executor.stats("nope")).kind());
        launch("dup", task.command("sleep", "1000"));
        var dup = assertThrows(DroverException.class, () -> executor.launch("dup", task.command("sleep", "1")));
        assertEquals(DroverException.Kind.ALREADY_EXISTS, dup.kind());
        var sameCgroup = assertThrows(DroverException.class, () -> executor.launch("dup2", task.command("sleep", "1")));
        assertEquals(DroverException.Kind.ALREADY_EXISTS, sameCgroup.kind(), "a cgroup with live processes is someone else's");
        assertTrue(sameCgroup.getMessage().contains("already holds processes"), sameCgroup.getMessage());
        var badLeaf = assertThrows(DroverException.class, () -> executor.launch("leaf",
                task.command("/bin/true", List.of(), TaskFixture.ENV, "", "", "../escape")));
        assertEquals(DroverException.Kind.INVALID_CONFIG, badLeaf.kind());
        var badDir = assertThrows(DroverException.class, () -> executor.launch("dir",
                task.command("/bin/true", List.of(), TaskFixture.ENV, "", "no/such/dir", "")));
        assertEquals(DroverException.Kind.INVALID_CONFIG, badDir.kind());
        Path plain = temp.resolve("plain.txt");
        assertDoesNotThrow(() -> Files.writeString(plain, "data"));
        var noExec = assertThrows(DroverException.class, () -> executor.launch("noexec",
                task.command(plain.toString(), List.of(), TaskFixture.ENV, "", "", task.cgroup + "-plain")));
        assertEquals(DroverException.Kind.INVALID_CONFIG, noExec.kind());
        assertEquals("failed to launch \"" + plain + "\": spawn " + plain + ": permission denied", noExec.getMessage());
    }

    @Test
    void versionAndNoOpResourceUpdate() {
        assertEquals(ExecutorProtocol.VERSION, executor.version());
        launch("res", task.command("sleep", "1000"));
        executor.updateResources("res", TaskFixture.RESOURCES);
    }
}
