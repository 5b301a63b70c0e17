package dev.drover.drivers.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.shared.FakeHost;
import dev.drover.drivers.shared.Tasks;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.Fingerprint.Health;
import dev.drover.sdk.driver.FsIsolation;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecDriverTest {
    @TempDir
    Path tmp;

    private static ExecDriver driver(Map<String, Object> pluginConfig, FakeHost fake) {
        return new ExecDriver(new DriverContext(pluginConfig, null, e -> {}), fake.host());
    }

    @Test
    void capabilities() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var caps = driver(Map.of(), fake).capabilities();
        assertTrue(caps.sendSignals() && caps.exec());
        assertEquals(FsIsolation.CHROOT, caps.fsIsolation());
        assertEquals(FsIsolation.NONE, driver(Map.of("isolation", "universal"), fake).capabilities().fsIsolation());
    }

    @Test
    void healthyFingerprint() throws IOException {
        var fake = new FakeHost(tmp).v2("cpu memory").crun();
        var fp = driver(Map.of(), fake).fingerprint();
        assertEquals(Health.HEALTHY, fp.health());
        assertEquals("Healthy", fp.healthDescription());
        assertEquals(Map.of("driver.exec", "1", "driver.exec.runtime", "crun", "driver.exec.runtime.version", "1.8.1", "driver.exec.cgroup", "v2"),
                fp.attributes());
    }

    @Test
    void hybridHostFallsBackToRuncAndSaysSo() throws IOException {
        var fake = new FakeHost(tmp).hybrid("hugetlb").crun().runc();
        var fp = driver(Map.of(), fake).fingerprint();
        assertEquals(Health.HEALTHY, fp.health());
        assertTrue(fp.healthDescription().startsWith("crun unusable: ") && fp.healthDescription().endsWith("; using runc"), fp.healthDescription());
        assertEquals("runc", fp.attributes().get("driver.exec.runtime"));
        assertEquals("v1-hybrid", fp.attributes().get("driver.exec.cgroup"));
    }

    @Test
    void unhealthyWithoutRuntimeOrRoot() throws IOException {
        var fake = new FakeHost(tmp).hybrid("hugetlb").crun();
        var fp = driver(Map.of(), fake).fingerprint();
        assertEquals(Health.UNHEALTHY, fp.health());
        assertTrue(fp.healthDescription().contains("mount -t cgroup -o hugetlb"), fp.healthDescription());
        assertNull(fp.attributes().get("driver.exec"));

        var nonRoot = new ExecDriver(new DriverContext(Map.of(), null, e -> {}), new FakeHost(tmp.resolve("b")).v2("memory").crun().host(1000));
        assertEquals(Health.UNHEALTHY, nonRoot.fingerprint().health());
        assertTrue(nonRoot.fingerprint().healthDescription().contains("must run as root"));
    }

    @Test
    void badPluginConfigFailsAtCreation() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var e = assertThrows(DroverException.class, () -> driver(Map.of("enabled", true), fake));
        assertTrue(e.getMessage().startsWith("plugin \"exec\" config: unknown field \"enabled\""), e.getMessage());
    }

    @Test
    void taskConfigErrors() throws IOException {
        var driver = driver(Map.of(), new FakeHost(tmp).v2("memory").crun());
        assertEquals("config.command is required", assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of())).getMessage());
        assertEquals("config: unknown field \"image\"; allowed: args, cap_add, cap_drop, command, ipc_mode, isolation, pid_mode, pids_limit, work_dir",
                assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("command", "x", "image", "y"))).getMessage());
        assertTrue(assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("command", "x", "cap_add", List.of("sys_admin"))))
                .getMessage().startsWith("driver does not allow the following capabilities: sys_admin"));
        driver.validateTaskConfig(Map.of("command", "x", "args", List.of("1"), "pid_mode", "host", "cap_add", List.of("CAP_KILL")));
    }

    @Test
    void commandForAnIsolatedTask() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var driver = driver(Map.of(), fake);
        var cmd = driver.command(Tasks.task(tmp.resolve("a1"), "", Tasks.CHROOT_ENV, Map.of("command", "/bin/echo", "args", List.of("hi"))));
        assertEquals("/bin/echo", cmd.cmd());
        assertEquals(List.of("hi"), cmd.args());
        assertEquals("nobody", cmd.user());
        assertEquals(13, cmd.isolation().capabilities().size());
        assertEquals("/alloc", cmd.isolation().mounts().getLast().target());
        assertEquals(tmp.resolve("a1/alloc").toString(), cmd.isolation().mounts().getLast().source());
    }

    /** The command (with its sandbox) is persisted in the task handle so a new executor can adopt the task. */
    @Test
    void isolatedCommandSurvivesTheHandlesJson() throws IOException {
        var driver = driver(Map.of("no_pivot_root", true), new FakeHost(tmp).v2("memory").crun());
        var cmd = driver.command(Tasks.task(tmp, "", Tasks.CHROOT_ENV, Map.of("command", "id", "pid_mode", "host", "pids_limit", 5L)));
        @SuppressWarnings("unchecked")
        Map<String, Object> blob = dev.drover.sdk.rpc.Wire.JSON.convertValue(cmd, Map.class);
        assertEquals(cmd, dev.drover.sdk.rpc.Wire.JSON.convertValue(blob, dev.drover.sdk.executor.ExecCommand.class));
    }

    @Test
    void rootTasksStillGetTheComputedCaps() throws IOException {
        // The executor widens root's set to the legacy list; the driver hands over Nomad's calculation.
        var driver = driver(Map.of(), new FakeHost(tmp).v2("memory").crun());
        var cmd = driver.command(Tasks.task(tmp, "root", Tasks.CHROOT_ENV, Map.of("command", "id", "cap_drop", List.of("chown"))));
        assertEquals("root", cmd.user());
        assertEquals(12, cmd.isolation().capabilities().size());
    }
}
