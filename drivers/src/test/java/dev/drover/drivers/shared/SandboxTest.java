package dev.drover.drivers.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ConfigReader;
import dev.drover.sdk.driver.FsIsolation;
import dev.drover.sdk.executor.Isolation.BindMount;
import dev.drover.sdk.executor.Isolation.Mode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxTest {
    @TempDir
    Path tmp;

    @Test
    void mountsKeepOnlyChrootEnvEntriesThatExistReadOnlyPlusAllocReadWrite() throws IOException {
        Path usr = Files.createDirectories(tmp.resolve("host/usr"));
        Path etc = Files.createDirectories(tmp.resolve("host/etc"));
        var chroot = new LinkedHashMap<String, String>();
        chroot.put(usr.toString(), "/usr");
        chroot.put(tmp.resolve("host/lib32").toString(), "/lib32"); // missing: skipped
        chroot.put(etc.toString(), "/etc");
        Path alloc = tmp.resolve("allocs/a1/alloc");
        assertEquals(List.of(new BindMount(usr.toString(), "/usr", true), new BindMount(etc.toString(), "/etc", true),
                new BindMount(alloc.toString(), "/alloc", false)), Sandbox.mounts(chroot, alloc));
    }

    @Test
    void defaultChrootEnvOnThisHost() {
        var mounts = Sandbox.mounts(SandboxPluginConfig.DEFAULT_CHROOT_ENV, tmp.resolve("alloc"));
        var targets = mounts.stream().map(BindMount::target).toList();
        assertTrue(targets.containsAll(List.of("/bin", "/etc", "/lib", "/sbin", "/usr", "/alloc")), targets.toString());
        for (var m : mounts) {
            if (!m.target().equals("/alloc")) {
                assertTrue(Files.exists(Path.of(m.source())), m.source());
                assertTrue(m.readOnly(), m.toString());
            }
        }
        // Whatever the default set lists but the host lacks is left out, not mounted empty.
        for (String p : SandboxPluginConfig.DEFAULT_CHROOT_ENV.keySet()) {
            assertEquals(Files.exists(Path.of(p)), targets.contains(p), p);
        }
    }

    @Test
    void isolatedCommandCarriesTheSandbox() throws IOException {
        var fake = new FakeHost(tmp).v2("memory pids").crun();
        var plugin = SandboxPluginConfig.read("exec", Map.of("chroot_env", Map.of(tmp.toString(), "/srv"), "no_pivot_root", true));
        var sandbox = new Sandbox("exec", plugin, fake.host());
        assertEquals(FsIsolation.CHROOT, sandbox.fsIsolation());
        Path allocDir = tmp.resolve("alloc/a1b2c3");
        var task = Tasks.task(allocDir, "", Tasks.CHROOT_ENV, Map.of());
        var settings = sandbox.readTask(new ConfigReader("config", Map.of("pid_mode", "host", "pids_limit", 32L, "cap_drop", List.of("all"),
                "cap_add", List.of("chown"))));
        var cmd = sandbox.command(task, "/bin/sh", List.of("-c", "true"), "/local", settings);
        var iso = cmd.isolation();
        assertEquals(fake.bin.resolve("crun").toString(), iso.runtime());
        assertEquals(List.of(new BindMount(tmp.toString(), "/srv", true), new BindMount(allocDir.resolve("alloc").toString(), "/alloc", false)),
                iso.mounts());
        assertEquals(Mode.HOST, iso.pidMode());
        assertEquals(Mode.PRIVATE, iso.ipcMode());
        assertEquals(List.of("CAP_CHOWN"), iso.capabilities());
        assertTrue(iso.noPivotRoot());
        assertEquals(32, iso.pidsLimit());
        assertEquals("nobody", cmd.user());
        assertEquals(allocDir.resolve("web").toString(), cmd.taskDir());
        assertEquals("/local", cmd.workDir());
        assertEquals("a1b2c3.web.0000beef", cmd.cgroup());
        assertEquals("/local", cmd.env().get("NOMAD_TASK_DIR"));
        assertEquals("hi", cmd.env().get("GREETING"));
    }

    @Test
    void universalTaskGetsNoSandboxAndHostPaths() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var sandbox = new Sandbox("exec", SandboxPluginConfig.read("exec", Map.of()), fake.host());
        Path allocDir = tmp.resolve("alloc/a1b2c3");
        var task = Tasks.task(allocDir, "www-data", Tasks.CHROOT_ENV, Map.of());
        var cmd = sandbox.command(task, "sleep", List.of("1"), "", sandbox.readTask(new ConfigReader("config", Map.of("isolation", "universal"))));
        assertNull(cmd.isolation());
        assertEquals("www-data", cmd.user());
        assertEquals(allocDir.resolve("alloc").toString(), cmd.env().get("NOMAD_ALLOC_DIR"));
        assertEquals(allocDir.resolve("web/local").toString(), cmd.env().get("NOMAD_TASK_DIR"));
        assertEquals(allocDir.resolve("web/secrets").toString(), cmd.env().get("NOMAD_SECRETS_DIR"));
    }

    @Test
    void universalDefaultStillLetsATaskAskForTheSandbox() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").runc();
        var sandbox = new Sandbox("java", SandboxPluginConfig.read("java", Map.of("isolation", "universal", "runtime", "runc")), fake.host());
        assertEquals(FsIsolation.NONE, sandbox.fsIsolation());
        var hostEnv = Map.of("NOMAD_ALLOC_DIR", "/x/alloc", "NOMAD_TASK_DIR", "/x/web/local", "NOMAD_SECRETS_DIR", "/x/web/secrets");
        var cmd = sandbox.command(Tasks.task(tmp, "", hostEnv, Map.of()), "java", List.of(), "",
                sandbox.readTask(new ConfigReader("config", Map.of("isolation", "isolated"))));
        assertEquals(fake.bin.resolve("runc").toString(), cmd.isolation().runtime());
        assertEquals("/alloc", cmd.env().get("NOMAD_ALLOC_DIR"));
        assertEquals("/local", cmd.env().get("NOMAD_TASK_DIR"));
        assertEquals("/secrets", cmd.env().get("NOMAD_SECRETS_DIR"));
    }

    @Test
    void isolatedTaskWithoutUsableRuntimeIsRefusedWithTheReason() throws IOException {
        var fake = new FakeHost(tmp).hybrid("hugetlb").crun(); // no runc to fall back to
        var sandbox = new Sandbox("exec", SandboxPluginConfig.read("exec", Map.of("isolation", "universal")), fake.host());
        assertTrue(sandbox.problem().isEmpty(), "universal by default: the runtime does not matter");
        var e = assertThrows(DroverException.class, () -> sandbox.readTask(new ConfigReader("config", Map.of("isolation", "isolated"))));
        assertTrue(e.getMessage().startsWith("config.isolation: \"isolated\" needs a usable OCI runtime on this node: crun unusable: "), e.getMessage());
        assertTrue(e.getMessage().contains("mount -t cgroup -o hugetlb"), e.getMessage());
    }

    @Test
    void notRootIsAProblemInEitherMode() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        for (String mode : List.of("isolated", "universal")) {
            var sandbox = new Sandbox("exec", SandboxPluginConfig.read("exec", Map.of("isolation", mode)), fake.host(1000));
            assertTrue(sandbox.problem().orElseThrow().contains("must run as root"), mode);
        }
    }
}
