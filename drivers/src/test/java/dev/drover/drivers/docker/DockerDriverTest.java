package dev.drover.drivers.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.Fingerprint;
import dev.drover.sdk.driver.TaskState;
import dev.drover.sdk.testing.ProcScan;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** The docker driver against a real private dockerd and registry (see {@link DockerFixture}). */
class DockerDriverTest {
    @RegisterExtension
    static final DockerFixture docker = DockerFixture.perClass("busybox", 0);

    @TempDir
    Path dir;
    DockerTaskSetup setup;
    DockerDriver driver;

    @BeforeEach
    void newDriver() {
        setup = new DockerTaskSetup(dir);
        driver = setup.driver(Map.of("endpoint", docker.endpoint()));
    }

    @AfterEach
    void nothingLeft() throws Exception {
        driver.shutdown();
        var left = docker.droverContainers();
        docker.removeDroverContainers(); // so one failure does not spill into the next test
        assertEquals(List.of(), left, "containers left behind");
        ProcScan.awaitGone(dir.toString(), 10_000);
    }

    private static Map<String, Object> sh(String script) {
        return Map.of("image", docker.image(), "command", "/bin/sh", "args", List.of("-c", script), "network_mode", "none");
    }

    static void await(Supplier<Boolean> condition, String what) throws InterruptedException {
        long deadline = System.currentTimeMillis() + 20_000;
        while (!condition.get()) {
            if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
            Thread.sleep(50);
        }
    }

    @Test
    void fingerprintIsHealthyWithTheEngineVersion() {
        var fp = driver.fingerprint();
        assertEquals(Fingerprint.Health.HEALTHY, fp.health(), fp.healthDescription());
        assertTrue(fp.attributes().get("driver.docker.version").startsWith("20.10"), fp.attributes().toString());
        assertEquals("1", fp.attributes().get("driver.docker"));
    }

    @Test
    void fingerprintOfAnUnreachableEngineSaysWhy() {
        var fp = setup.driver(Map.of("endpoint", "unix://" + dir.resolve("no.sock"))).fingerprint();
        assertEquals(Fingerprint.Health.UNDETECTED, fp.health());
        assertTrue(fp.healthDescription().contains("docker engine not reachable at unix://" + dir.resolve("no.sock")), fp.healthDescription());
    }

    @Test
    void runsAContainerWithOutputSeparatedAndReportsTheExitCode() throws Exception {
        var task = setup.new Task("t");
        var config = task.config(sh("echo out $GREETING; echo err >&2; exit 3"));
        driver.prestart(config);
        var started = driver.startTask(config);
        var result = driver.waitTask(config.id());
        assertEquals(3, result.exitCode(), result.toString());
        assertFalse(result.oomKilled());
        await(() -> task.stdout().equals("out hello\n") && task.stderr().equals("err\n"),
                "stdout/stderr in the fifos; got " + task.stdout() + " / " + task.stderr());
        var inspect = docker.api().inspectContainer(started.handle().driverState().get("containerId").toString());
        assertEquals("/t-" + task.allocId, inspect.path("Name").asString());
        assertEquals(task.allocId, inspect.path("Config").path("Labels").path("com.hashicorp.nomad.alloc_id").asString());
        assertEquals("t", inspect.path("Config").path("Labels").path("com.hashicorp.nomad.task_name").asString());
        assertEquals(TaskState.EXITED, driver.inspectTask(config.id()).state());
        driver.destroyTask(config.id(), false);
        assertEquals(List.of(), docker.droverContainers());
    }

    @Test
    void killSignalThenTimeoutThenKill() throws Exception {
        var task = setup.new Task("sig");
        var handled = task.config(sh("trap 'echo got-usr1; exit 7' USR1; echo ready; while true; do sleep 0.1; done"));
        driver.startTask(handled);
        await(() -> task.stdout().contains("ready"), "ready");
        driver.stopTask(handled.id(), Duration.ofSeconds(5), "SIGUSR1");
        assertEquals(7, driver.waitTask(handled.id()).exitCode());
        driver.destroyTask(handled.id(), false);

        var stubborn = task.config(sh("trap '' TERM; echo ready2; while true; do sleep 0.1; done"));
        driver.startTask(stubborn);
        await(() -> task.stdout().contains("ready2"), "ready2");
        long t0 = System.nanoTime();
        driver.stopTask(stubborn.id(), Duration.ofSeconds(1), "SIGTERM");
        var result = driver.waitTask(stubborn.id());
        long tookMs = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(137, result.exitCode(), result.toString());
        assertTrue(tookMs >= 900 && tookMs < 8_000, "killed after the 1 s kill timeout, took " + tookMs + " ms");
        driver.destroyTask(stubborn.id(), false);
    }

    @Test
    void signalExecAndStats() throws Exception {
        var task = setup.new Task("x");
        var config = task.config(sh("trap 'echo hup' HUP; echo ready; while true; do sleep 0.1; done"));
        driver.startTask(config);
        await(() -> task.stdout().contains("ready"), "ready");
        driver.signalTask(config.id(), "SIGHUP");
        await(() -> task.stdout().contains("hup\n"), "the trapped HUP");
        var exec = driver.execTask(config.id(), List.of("/bin/sh", "-c", "echo in-$GREETING; echo oops >&2; exit 4"), Duration.ofSeconds(10));
        assertEquals(4, exec.exitCode());
        assertEquals("in-hello\noops\n", new String(exec.output(), StandardCharsets.UTF_8));
        var stats = driver.taskStats(config.id());
        assertTrue(stats.memory().usage() > 0, stats.toString());
        assertTrue(stats.processes() >= 1, stats.toString());
        var bad = assertThrows(DroverException.class, () -> driver.signalTask(config.id(), "SIGNOPE"));
        assertTrue(bad.getMessage().contains("unknown signal \"SIGNOPE\""), bad.getMessage());
        driver.stopTask(config.id(), Duration.ofSeconds(1), "");
        driver.waitTask(config.id());
        driver.destroyTask(config.id(), false);
    }

    @Test
    void statsFromTheEngineShowTheMemoryAContainerHoldsAndTheCpuItBurns() throws Exception {
        var task = setup.new Task("stats");
        // 60 MiB held in a shell variable (anonymous memory, so RSS); the loop keeps the shell from exec-ing sleep.
        var hog = task.config(sh("x=$(head -c 62914560 /dev/zero | busybox tr '\\0' x); echo ready; while :; do sleep 1; done"), Map.of(), List.of(), 512);
        driver.startTask(hog);
        await(() -> task.stdout().contains("ready"), "the 60 MiB to be allocated");
        var mem = driver.taskStats(hog.id());
        assertTrue(mem.memory().rss() >= 50L << 20, "RSS >= 50 MiB: " + mem);
        assertTrue(mem.memory().usage() >= mem.memory().rss(), mem.toString());
        assertTrue(mem.memory().maxUsage() >= mem.memory().usage(), "cgroup v1 reports the peak: " + mem);
        assertTrue(mem.timestampNanos() > 0);

        var spin = setup.new Task("spin");
        var loop = spin.config(sh("while :; do :; done"));
        driver.startTask(loop);
        var first = driver.taskStats(loop.id());
        long deadline = System.currentTimeMillis() + 30_000;
        var later = first;
        while (later.cpu().totalNanos() < first.cpu().totalNanos() + 500_000_000L && System.currentTimeMillis() < deadline) {
            Thread.sleep(200);
            later = driver.taskStats(loop.id());
        }
        assertTrue(later.cpu().totalNanos() >= first.cpu().totalNanos() + 500_000_000L, "CPU time rises: " + first + " -> " + later);
        assertTrue(later.cpu().userNanos() > first.cpu().userNanos(), "mostly user time: " + later);
        assertTrue(later.cpu().percent() > 0, "percent from consecutive readings: " + later);
        // The idle hog burns (almost) nothing next to the loop over the same kind of window.
        var idleBefore = driver.taskStats(hog.id());
        Thread.sleep(1_000);
        var idleAfter = driver.taskStats(hog.id());
        var loopAfter = driver.taskStats(loop.id());
        assertTrue(loopAfter.cpu().percent() > idleAfter.cpu().percent(), "busy " + loopAfter + " vs idle " + idleAfter);
        assertTrue(idleAfter.cpu().totalNanos() - idleBefore.cpu().totalNanos() < 200_000_000L, idleBefore + " -> " + idleAfter);

        for (var c : List.of(hog, loop)) {
            driver.stopTask(c.id(), Duration.ofSeconds(1), "SIGKILL");
            driver.waitTask(c.id());
            driver.destroyTask(c.id(), false);
        }
    }

    @Test
    void pullAndStartAreReportedAsTheTasksOwnMetrics() throws Exception {
        String fresh = docker.pushImage("metrics", "1", 4); // absent from the engine: a real pull
        var task = setup.new Task("m");
        var config = task.config(Map.of("image", fresh, "command", "/bin/true", "network_mode", "none"));
        driver.prestart(config);
        var id = config.identity();
        assertEquals("m", id.task());
        assertEquals(task.allocId, id.allocId());
        double bytes = setup.metrics.counted("image_pull_bytes", id);
        assertTrue(bytes >= 4_000_000, "the 4 MiB layer was downloaded: " + bytes);
        assertEquals(1, setup.metrics.timed("image_pull_seconds", id).size());
        driver.startTask(config);
        assertEquals(1, setup.metrics.timed("container_start_seconds", id).size());
        driver.waitTask(config.id());
        driver.destroyTask(config.id(), false);

        // The image is present now: a second task pulls nothing, so reports no pull.
        var again = setup.new Task("m2");
        var second = again.config(Map.of("image", fresh, "command", "/bin/true", "network_mode", "none"));
        driver.prestart(second);
        assertEquals(0.0, setup.metrics.counted("image_pull_bytes", second.identity()));
        assertEquals(List.of(), setup.metrics.timed("image_pull_seconds", second.identity()));
    }

    @Test
    void oomKillIsReportedFromTheContainerState() throws Exception {
        var task = setup.new Task("oom");
        var config = task.config(sh("tail /dev/zero"), Map.of(), List.of(), 16);
        driver.startTask(config);
        var result = driver.waitTask(config.id());
        assertTrue(result.oomKilled(), result.toString());
        assertEquals(137, result.exitCode());
        driver.destroyTask(config.id(), false);
    }

    @Test
    void volumesRelativeToTheTaskDirAndReadOnly() throws Exception {
        var task = setup.new Task("v");
        Files.createDirectories(task.allocDir.resolve("v/local/ro"));
        Files.writeString(task.allocDir.resolve("v/local/ro/in.txt"), "from host\n");
        var config = task.config(Map.of("image", docker.image(), "command", "/bin/sh", "network_mode", "none",
                "args", List.of("-c", "echo written > /data/out.txt; cat /ro/in.txt; touch /ro/x 2>/dev/null || echo ro-refused;"
                        + " echo $NOMAD_X; ls /local /secrets /alloc >/dev/null && echo dirs; mount | grep -c ' /scratch type tmpfs'"),
                "volumes", List.of("data:/data", "local/ro:/ro:ro"),
                "mount", List.of(Map.of("type", "tmpfs", "target", "/scratch"))));
        driver.startTask(config);
        assertEquals(0, driver.waitTask(config.id()).exitCode(), task.stderr());
        await(() -> task.stdout().equals("from host\nro-refused\n\ndirs\n1\n"), "volume output; got " + task.stdout());
        assertEquals("written\n", Files.readString(task.allocDir.resolve("v/data/out.txt")));
        driver.destroyTask(config.id(), false);
    }

    @Test
    void badTaskConfigIsRefusedNamingTheField() {
        var privileged = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "privileged", true)));
        assertTrue(privileged.getMessage().contains("config.privileged: privileged containers are not allowed"), privileged.getMessage());
        var caps = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "cap_add", List.of("sys_admin"))));
        assertTrue(caps.getMessage().contains("driver does not allow the following capabilities: sys_admin"), caps.getMessage());
        var escape = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "volumes", List.of("/etc:/host-etc"))));
        assertTrue(escape.getMessage().contains("config.volumes[0]: host path \"/etc\" is outside the allocation directory"), escape.getMessage());
        var format = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "volumes", List.of("data"))));
        assertTrue(format.getMessage().contains("config.volumes[0]: \"data\" must be \"src:dest\""), format.getMessage());
        var mode = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "network_mode", "bridgy")));
        assertTrue(mode.getMessage().contains("config.network_mode: \"bridgy\" is not supported; allowed: host, none, bridge, default"), mode.getMessage());
        var unknown = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("image", docker.image(), "imgae", "x")));
        assertTrue(unknown.getMessage().contains("unknown field \"imgae\""), unknown.getMessage());
    }

    @Test
    void recoversAfterARestartIncludingAContainerThatExitedMeanwhile() throws Exception {
        var quickTask = setup.new Task("quick");
        var task = setup.new Task("slow");
        var quick = quickTask.config(sh("echo started-quick; sleep 1; exit 5"));
        var slow = task.config(sh("echo started-slow; while true; do sleep 0.1; done"));
        var h1 = driver.startTask(quick).handle();
        var h2 = driver.startTask(slow).handle();
        await(() -> quickTask.stdout().contains("started-quick") && task.stdout().contains("started-slow"), "both started");
        driver.shutdown(); // the agent goes away; containers and loggers stay
        Thread.sleep(1500);

        var again = setup.driver(Map.of("endpoint", docker.endpoint()));
        again.recoverTask(h1);
        again.recoverTask(h2);
        assertEquals(5, again.waitTask(quick.id()).exitCode(), "the real exit code of a container that exited while we were away");
        assertEquals(TaskState.RUNNING, again.inspectTask(slow.id()).state());
        again.stopTask(slow.id(), Duration.ofSeconds(1), "");
        again.waitTask(slow.id());
        again.destroyTask(quick.id(), false);
        again.destroyTask(slow.id(), false);
        assertEquals(1, countOf(task.stdout(), "started-slow"), "no line repeated: " + task.stdout());
        driver = again;
    }

    static int countOf(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
        return n;
    }
}
