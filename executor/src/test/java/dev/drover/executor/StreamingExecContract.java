package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Executor;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.testing.ProcScan;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interactive exec (pty and pipes) against each executor, in-process: the same checks the agent's
 * websocket tests make end to end, closer to the code.
 */
@Timeout(120)
abstract class StreamingExecContract {
    static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir Path temp;
    TaskFixture task;
    final List<String> sessions = new ArrayList<>();

    abstract Executor executor();

    /** Turns a plain command into what this executor runs (e.g. adds the sandbox settings). */
    abstract ExecCommand adapt(ExecCommand command);

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

    CompletableFuture<Integer> exec(String session, boolean tty, TestExecStream stream, String... command) {
        return CompletableFuture.supplyAsync(() -> executor().execStreaming(session, List.of(command), tty, stream),
                r -> Thread.ofVirtual().start(r));
    }

    /** A running task (a new task dir each) to exec into. */
    void running(String session) {
        try {
            task = new TaskFixture(temp);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        sessions.add(session);
        executor().launch(session, adapt(task.command("/bin/sh", List.of("-c", "exec sleep 1000"),
                Map.of("PATH", "/usr/bin:/bin", "MARK", "m-" + session), "", "", task.cgroup)));
    }

    @Test
    void aTtyHasAPtsAndTheSizeSentAndExitCodesComeBack() throws Exception {
        running("tty");
        var s = new TestExecStream();
        var exit = exec("tty", true, s, "/bin/sh");
        s.send(new ExecStream.Resize(33, 101)).send("tty; stty size; echo mark=$MARK\n");
        s.await("/dev/pts/\\d+\\r\\n", WAIT);
        s.await("33 101\\r\\n", WAIT);
        s.await("mark=m-tty", WAIT);
        s.send(new ExecStream.Resize(40, 120)).send("stty size\n");
        s.await("40 120\\r\\n", WAIT);
        s.send("exit 7\n");
        assertEquals(7, exit.get(15, TimeUnit.SECONDS));
    }

    @Test
    void pipesRoundTripAndEndOnStdinClose() throws Exception {
        running("pipes");
        var s = new TestExecStream();
        var exit = exec("pipes", false, s, "/bin/cat");
        s.send("hi\n").send(new ExecStream.CloseStdin());
        assertEquals(0, exit.get(15, TimeUnit.SECONDS));
        assertEquals("hi\n", s.stdout());

        var t = new TestExecStream();
        var both = exec("pipes", false, t, "/bin/sh", "-c", "echo out; echo err >&2; exit 3");
        assertEquals(3, both.get(15, TimeUnit.SECONDS));
        assertEquals("out\n", t.stdout());
        assertEquals("err\n", t.stderr());
    }

    @Test
    void ctrlCReachesTheForegroundProcess() throws Exception {
        running("intr");
        var s = new TestExecStream();
        var exit = exec("intr", true, s, "/bin/sh");
        s.send("sleep 4242\n");
        waitForProcess("sleep 4242");
        s.send(new ExecStream.Stdin(new byte[] {3}));
        s.await("\\^C", WAIT);
        s.send("echo rc=$?\n"); // an interactive shell drops the rest of an interrupted line
        s.await("rc=130", WAIT);
        assertTrue(ProcScan.all().stream().noneMatch(p -> p.cmdline().equals("sleep 4242")), "the sleep was interrupted");
        s.send("exit\n");
        assertEquals(0, exit.get(15, TimeUnit.SECONDS));
    }

    @Test
    void aCallerThatGoesAwayLeavesNothingBehind() throws Exception {
        running("gone");
        var s = new TestExecStream();
        var exit = exec("gone", true, s, "/bin/sh");
        s.send("sleep 7001 & sleep 7002\n");
        waitForProcess("sleep 7002");
        s.hangUp();
        exit.get(15, TimeUnit.SECONDS);
        awaitNoProcess("sleep 7001");
        awaitNoProcess("sleep 7002");

        var t = new TestExecStream();
        var bg = exec("gone", false, t, "/bin/sh", "-c", "sleep 7003 & echo started; sleep 0.2");
        assertEquals(0, bg.get(15, TimeUnit.SECONDS));
        awaitNoProcess("sleep 7003");
    }

    /**
     * A command that is gone within a millisecond still takes what it started with it, with or
     * without a TTY. The machine is kept busy meanwhile, as a loaded node is: the command is then
     * gone before a watcher could look at it.
     */
    @Test
    void aCommandThatEndsAtOnceLeavesNoChildren() throws Exception {
        running("quick");
        var busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        for (int k = 0; k < 4; k++) {
            Thread.ofPlatform().daemon().start(() -> {
                while (busy.get()) Thread.onSpinWait();
            });
        }
        try {
            for (int i = 0; i < 10; i++) {
                boolean tty = i % 2 == 1;
                String sleep = "sleep " + (7100 + i);
                int code = exec("quick", tty, new TestExecStream(), "/bin/sh", "-c", sleep + " & exit 0").get(15, TimeUnit.SECONDS);
                assertEquals(0, code, (tty ? "tty " : "pipes ") + i);
                awaitNoProcess(sleep);
            }
        } finally {
            busy.set(false);
        }
    }

    @Test
    void badCommandsAreClearErrors() {
        running("bad");
        var e = assertThrows(DroverException.class, () -> executor().execStreaming("bad", List.of("no-such-cmd"), true, new TestExecStream()));
        assertEquals(DroverException.Kind.INVALID_CONFIG, e.kind(), e.getMessage());
        assertTrue(e.getMessage().contains("\"no-such-cmd\" not found in"), e.getMessage());
        var unknown = assertThrows(DroverException.class, () -> executor().execStreaming("nope", List.of("/bin/sh"), true, new TestExecStream()));
        assertEquals(DroverException.Kind.NOT_FOUND, unknown.kind());
    }

    @Test
    void manySequentialSessionsLoseNoExitCode() throws Exception {
        running("many");
        // 200 per driver run end to end in AllocExecTest; here, closer to the code, a shorter series
        int n = Integer.getInteger("drover.exec.sessions", 50);
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            var s = new TestExecStream();
            int code = exec("many", i % 2 == 0, s, "/bin/sh", "-c", "echo " + i + "; exit " + (i % 256)).get(15, TimeUnit.SECONDS);
            assertEquals(i % 256, code, "session " + i);
            assertTrue(s.stdout().startsWith(Integer.toString(i)), "session " + i + " output: " + s.stdout());
        }
        System.out.printf("%d sequential exec sessions in %d ms%n", n, (System.nanoTime() - start) / 1_000_000);
    }

    /** Exact command lines: other suites on this machine run sleeps of their own. */
    static void awaitNoProcess(String cmdline) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 5_000;
        while (ProcScan.all().stream().anyMatch(p -> p.cmdline().equals(cmdline))) {
            if (System.currentTimeMillis() > deadline) fail("still running: " + ProcScan.withCmdline(cmdline));
            Thread.sleep(20);
        }
    }

    static void waitForProcess(String cmdline) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 10_000;
        while (ProcScan.all().stream().noneMatch(p -> p.cmdline().equals(cmdline))) {
            if (System.currentTimeMillis() > deadline) fail("\"" + cmdline + "\" never started");
            Thread.sleep(20);
        }
    }
}
