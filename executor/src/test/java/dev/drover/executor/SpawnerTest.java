package dev.drover.executor;

import dev.drover.sdk.testing.ProcScan;
import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.nativ.NativeException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** posix_spawn through FFM: the held child, exact statuses, fds and failures. */
@Timeout(30)
class SpawnerTest {
    @TempDir Path temp;

    private int devNull() {
        return LibC.open("/dev/null", LibC.O_WRONLY | LibC.O_CLOEXEC, 0);
    }

    @Test
    void childIsHeldBeforeExecUntilTheHookReturns() throws Exception {
        var spawner = new Spawner(temp);
        Path out = temp.resolve("out.txt");
        int fd = LibC.open(out.toString(), LibC.O_WRONLY | LibC.O_CREAT | LibC.O_CLOEXEC, 0600);
        var seen = new AtomicInteger();
        var outputInHook = new AtomicInteger(-1);
        // field 5 of /proc/PID/stat is the process group
        String script = "echo $$ $(cut -d' ' -f5 /proc/$$/stat); exit 7";
        int pid = spawner.spawn(new Spawner.Request(Path.of("/bin/sh"), List.of("sh", "-c", script),
                Map.of("PATH", "/usr/bin:/bin"), temp, fd, fd), p -> {
                    seen.set(p);
                    try {
                        Thread.sleep(200); // the task must not run while we hold it
                        outputInHook.set((int) Files.size(out));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        Native.close(fd);
        assertEquals(pid, seen.get());
        assertEquals(0, outputInHook.get(), "nothing ran before the hook returned");
        var status = LibC.waitExit(pid);
        assertEquals(new LibC.WaitStatus(7, 0), status);
        assertEquals(pid + " " + pid + "\n", Files.readString(out, StandardCharsets.UTF_8), "pid == pgid");
        try (var files = Files.list(temp)) {
            assertEquals(List.of(out), files.toList(), "the sync fifo is removed");
        }
    }

    @Test
    void aFailingHookKillsTheHeldChildBeforeItRunsAnything() throws Exception {
        var spawner = new Spawner(temp);
        Path marker = temp.resolve("marker");
        int fd = devNull();
        var pid = new AtomicInteger();
        var e = assertThrows(UncheckedIOException.class, () -> spawner.spawn(new Spawner.Request(Path.of("/bin/sh"),
                List.of("sh", "-c", "touch " + marker), Map.of(), temp, fd, fd), p -> {
                    pid.set(p);
                    throw new UncheckedIOException(new java.io.IOException("no cgroup for you"));
                }));
        Native.close(fd);
        assertTrue(e.getMessage().contains("no cgroup for you"));
        Thread.sleep(100);
        assertFalse(Files.exists(marker), "the task never ran");
        assertTrue(ProcScan.read(pid.get()).filter(p -> p.ppid() == ProcessHandle.current().pid()).isEmpty(),
                "the killed child was reaped");
    }

    @Test
    void execFailuresComeBackAsErrno() throws Exception {
        var spawner = new Spawner(temp);
        int fd = devNull();
        try {
            var missing = assertThrows(NativeException.class, () -> spawner.spawn(new Spawner.Request(
                    Path.of("/no/such/binary"), List.of("x"), Map.of(), temp, fd, fd), p -> { }));
            assertEquals(LibC.ENOENT, missing.errno());
            Path plain = Files.writeString(temp.resolve("plain.txt"), "not a program");
            var notExecutable = assertThrows(NativeException.class, () -> spawner.spawn(new Spawner.Request(
                    plain, List.of("x"), Map.of(), temp, fd, fd), p -> { }));
            assertEquals(LibC.EACCES, notExecutable.errno());
            plain.toFile().setExecutable(true);
            var noFormat = assertThrows(NativeException.class, () -> spawner.spawn(new Spawner.Request(
                    plain, List.of("x"), Map.of(), temp, fd, fd), p -> { }));
            assertEquals(8 /* ENOEXEC: no #! line */, noFormat.errno());
        } finally {
            Native.close(fd);
        }
    }

    @Test
    void outputTailKeepsTheLastBytes() {
        var tail = new OutputTail(4);
        tail.write("ab".getBytes(), 0, 2);
        assertArrayEquals("ab".getBytes(), tail.bytes());
        tail.write("cdef".getBytes(), 1, 3);
        assertArrayEquals("bdef".getBytes(), tail.bytes());
        tail.write("0123456789".getBytes(), 0, 10);
        assertArrayEquals("6789".getBytes(), tail.bytes());
    }
}
