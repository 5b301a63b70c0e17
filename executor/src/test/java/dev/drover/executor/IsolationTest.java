package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the sandbox promises, seen from inside and from the host: user and capabilities, PID
 * namespace, read-only host dirs, memory and pids limits, live resource updates. Once per runtime.
 */
class IsolationTest {
    private static final Cgroups CGROUPS = Cgroups.detect();
    private static final IsolatedExecutor EXECUTOR = new IsolatedExecutor(CGROUPS, Spawner.withTempDir());
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Timeout(60)
    abstract static class Suite {
        @TempDir Path temp;
        TaskFixture task;
        final List<String> sessions = new ArrayList<>();

        abstract String runtime();

        @BeforeAll
        static void root() {
            assertTrue(Native.isRoot(), "prerequisite missing: the isolation tests need root (run the tests as root)");
            Reaper.startAsSubreaper();
        }

        @BeforeEach
        void fixture() throws Exception {
            IsolatedFixture.assertRuntimeUsable(runtime());
            task = new TaskFixture(temp);
        }

        @AfterEach
        void cleanup() {
            for (String id : sessions) {
                try {
                    EXECUTOR.destroy(id);
                } catch (RuntimeException e) {
                    // destroyed by the test already
                }
            }
        }

        Isolation isolation(Isolation.Mode pidMode, long pidsLimit) {
            return new Isolation(runtime(), IsolatedFixture.HOST_DIRS, pidMode, Isolation.Mode.PRIVATE,
                    List.copyOf(CapabilitySet.NOMAD_DEFAULTS), false, pidsLimit);
        }

        int launch(String id, String user, Resources resources, Isolation isolation, String cmd, String... args) {
            sessions.add(id);
            var c = new ExecCommand(cmd, List.of(args), TaskFixture.ENV, user, task.taskDir.toString(), "",
                    task.stdout.path().toString(), task.stderr.path().toString(), resources, task.cgroup, isolation);
            return EXECUTOR.launch(id, c).pid();
        }

        int launch(String id, String user, String script) {
            return launch(id, user, TaskFixture.RESOURCES, isolation(Isolation.Mode.PRIVATE, 0), "/bin/sh", "-c", script);
        }

        static long capField(int pid, String field) throws Exception {
            for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
                if (line.startsWith(field + ":")) return Long.parseUnsignedLong(line.substring(field.length() + 1).trim(), 16);
            }
            throw new AssertionError(field + " not in /proc/" + pid + "/status");
        }

        @Test
        void nobodyGetsExactlyNomadsThirteenCapabilities() throws Exception {
            int pid = launch("caps", "nobody", "echo ready; exec sleep 1000");
            task.stdout.awaitText("ready", WAIT);
            long expected = CapabilitySet.bitmask(CapabilitySet.NOMAD_DEFAULTS);
            for (String field : List.of("CapEff", "CapPrm", "CapBnd")) {
                assertEquals(Long.toHexString(expected), Long.toHexString(capField(pid, field)), field + " of the task");
            }
            var status = Files.readString(Path.of("/proc/" + pid + "/status"));
            assertTrue(status.matches("(?s).*\\nUid:\\s+65534\\s.*"), "runs as nobody: " + status.lines().filter(l -> l.startsWith("Uid")).toList());
        }

        @Test
        void theTaskIsPidOneAndSeesOnlyItsOwnProcesses() throws Exception {
            launch("pidns", "nobody", "sleep 1000 & echo \"pid=$$\"; ls /proc | grep -c '^[0-9]'");
            assertEquals(0, EXECUTOR.await("pidns").exitCode());
            var out = task.stdout.awaitEof(WAIT).lines().toList();
            assertEquals("pid=1", out.getFirst());
            assertTrue(Integer.parseInt(out.get(1).trim()) <= 4, "only the task's own processes are visible: " + out);
        }

        @Test
        void hostPidModeSharesTheHostsPids() throws Exception {
            int pid = launch("hostpid", "nobody", TaskFixture.RESOURCES, isolation(Isolation.Mode.HOST, 0),
                    "/bin/sh", "-c", "echo \"pid=$$\"");
            assertEquals(0, EXECUTOR.await("hostpid").exitCode());
            assertEquals("pid=" + pid + "\n", task.stdout.awaitEof(WAIT));
        }

        @Test
        void theHostIsReadOnlyOrInvisibleAndTheTaskDirsAreWritable() throws Exception {
            Path hostFile = temp.resolve("outside.txt");
            Files.writeString(hostFile, "secret");
            launch("fs", "nobody", "touch /usr/x 2>/dev/null || echo usr-ro; touch /etc/x 2>/dev/null || echo etc-ro; "
                    + "cat " + hostFile + " 2>/dev/null || echo outside-invisible; ls /root 2>/dev/null || echo root-invisible; "
                    + "echo hi > /local/f && echo local-ok; echo hi > /tmp/f && echo tmp-ok");
            assertEquals(0, EXECUTOR.await("fs").exitCode());
            assertEquals("usr-ro\netc-ro\noutside-invisible\nroot-invisible\nlocal-ok\ntmp-ok\n", task.stdout.awaitEof(WAIT));
            assertEquals("hi\n", Files.readString(task.taskDir.resolve("local/f")), "the task dir is the sandbox's root");
        }

        @Test
        void aMemoryHogIsOomKilledAndReportedAsSuch() throws Exception {
            launch("oom", "nobody", new Resources(100, 32, 0), isolation(Isolation.Mode.PRIVATE, 0),
                    "/usr/bin/perl", "-e", "my $x = 'a' x (256 * 1024 * 1024); print length($x), qq(\\n)");
            var state = EXECUTOR.await("oom");
            assertTrue(state.oomKilled(), "reported as OOM-killed: " + state);
            assertEquals(9, state.signal(), state.toString());
        }

        /** Perl reports a failed fork and goes on; a shell would die of it (and, as pid 1, take the bomb along). */
        @Test
        void aForkBombIsHeldByPidsMax() throws Exception {
            launch("bomb", "nobody", TaskFixture.RESOURCES, isolation(Isolation.Mode.PRIVATE, 20), "/usr/bin/perl", "-e",
                    "$| = 1; my $n = 0; for (1..60) { my $p = fork(); if (!defined $p) { print qq(refused after $n\\n); last }"
                            + " if ($p == 0) { sleep 5; exit 0 } $n++ } sleep 1");
            var cgroup = CGROUPS.open(task.cgroup);
            int most = 0;
            for (long end = System.nanoTime() + 1_500_000_000L; System.nanoTime() < end; ) {
                most = Math.max(most, cgroup.pids().size());
                Thread.sleep(10);
            }
            assertTrue(most <= 20, "pids.max holds the tree to 20, found " + most);
            task.stdout.awaitText("refused after", WAIT);
            String out = task.stdout.text();
            int forked = Integer.parseInt(out.replaceAll("(?s).*refused after (\\d+).*", "$1"));
            assertTrue(forked >= 15 && forked <= 19, "forks succeed up to the limit (20 with the parent), then fail: " + out);
        }

        @Test
        void updateResourcesChangesTheMemoryLimitOfTheRunningTask() throws Exception {
            launch("update", "nobody", new Resources(100, 64, 0), isolation(Isolation.Mode.PRIVATE, 0), "/bin/sleep", "1000");
            Path limit = memoryLimitFile();
            assertEquals(64L << 20, Long.parseLong(Files.readString(limit).trim()));
            EXECUTOR.updateResources("update", new Resources(100, 128, 0));
            assertEquals(128L << 20, Long.parseLong(Files.readString(limit).trim()));
        }

        private Path memoryLimitFile() {
            var v1 = CGROUPS.v1().map(v -> v.mounts().get("memory"));
            if (v1.isPresent()) return v1.get().resolve(Cgroups.PARENT).resolve(task.cgroup).resolve("memory.limit_in_bytes");
            return CGROUPS.v2().orElseThrow().root().resolve(Cgroups.PARENT).resolve(task.cgroup).resolve("memory.max");
        }

        @Test
        void execRunsInsideTheSandboxAsTheTasksUser() throws Exception {
            launch("exec", "nobody", "sleep 1000");
            var result = EXECUTOR.exec("exec", 10_000, "sh", List.of("-c", "id -u; touch /usr/x 2>/dev/null || echo ro"));
            assertEquals(0, result.exitCode(), new String(result.output()));
            assertEquals("65534\nro\n", new String(result.output()));
            var missing = assertThrows(RuntimeException.class, () -> EXECUTOR.exec("exec", 5_000, "no-such-tool", List.of()));
            assertTrue(missing.getMessage().contains("not found in the sandbox"), missing.getMessage());
        }
    }

    @Nested
    class Crun extends Suite {
        @Override
        String runtime() {
            return "crun";
        }
    }

    @Nested
    class Runc extends Suite {
        @Override
        String runtime() {
            return "runc";
        }
    }
}
