package dev.drover.drivers.java;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.shared.CommandRunner;
import dev.drover.drivers.shared.FakeHost;
import dev.drover.drivers.shared.OciRuntimeProbe;
import dev.drover.drivers.shared.Tasks;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.Fingerprint.Health;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JavaDriverTest {
    @TempDir
    Path tmp;

    @Test
    void commandLineIsBuiltLikeNomads() {
        assertEquals(List.of("-Xmx64m", "-Dx=y", "-cp", "local/lib/*:local/classes", "com.example.Main", "a", "b"),
                new JavaCommand("", "com.example.Main", "local/lib/*:local/classes", List.of("-Xmx64m", "-Dx=y"), List.of("a", "b")).arguments());
        assertEquals(List.of("-jar", "local/app.jar", "--port", "8080"),
                new JavaCommand("local/app.jar", "", "", List.of(), List.of("--port", "8080")).arguments());
        // Both: -jar runs the jar and the class name becomes its first argument (Nomad does the same).
        assertEquals(List.of("-cp", "x", "-jar", "app.jar", "Main"), new JavaCommand("app.jar", "Main", "x", List.of(), List.of()).arguments());
    }

    @Test
    void parsesJavaVersionOutput() {
        var v = JavaProbe.parse("""
                Picked up JAVA_TOOL_OPTIONS: -Xss1m
                openjdk version "17.0.15" 2025-04-15
                OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)
                OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)
                """);
        assertEquals(new JavaProbe.JavaVersion("17.0.15", "OpenJDK Runtime Environment (build 17.0.15+6-Debian-1deb12u1)",
                "OpenJDK 64-Bit Server VM (build 17.0.15+6-Debian-1deb12u1, mixed mode, sharing)"), v);
        assertEquals("1.8.0_392", JavaProbe.parse("java version \"1.8.0_392\"\nJava(TM) SE Runtime Environment\nJava HotSpot(TM) VM\n").version());
        assertNull(JavaProbe.parse("bash: java: command not found"));
    }

    /** The real host java, run once: attributes must agree with what java itself reports. */
    @Test
    void fingerprintsTheRealHostJava() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var system = OciRuntimeProbe.Host.system();
        var host = new OciRuntimeProbe.Host(fake.cgroups, plus(system.searchPath(), fake.bin), 0, CommandRunner.SYSTEM, Duration.ofSeconds(20));
        var driver = new JavaDriver(new DriverContext(Map.of(), null, e -> {}), host);
        var fp = driver.fingerprint();
        assertEquals(Health.HEALTHY, fp.health(), fp.healthDescription());
        assertEquals("1", fp.attributes().get("driver.java"));
        var found = assertInstanceOf(JavaProbe.Found.class, JavaProbe.probe(system.searchPath(), CommandRunner.SYSTEM, Duration.ofSeconds(20)));
        var raw = CommandRunner.SYSTEM.run(List.of(found.binary().toString(), "-version"), Duration.ofSeconds(20)).text();
        String version = fp.attributes().get("driver.java.version");
        assertTrue(version.matches("\\d+(\\.\\d+)*([_+.-].*)?"), version);
        assertTrue(raw.contains("\"" + version + "\""), raw);
        assertTrue(raw.contains(fp.attributes().get("driver.java.runtime")), raw);
        assertTrue(fp.attributes().get("driver.java.runtime").contains("Runtime Environment"), fp.attributes().toString());
        assertTrue(fp.attributes().get("driver.java.vm").contains("VM"), fp.attributes().toString());
    }

    @Test
    void undetectedWithoutJava() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var driver = new JavaDriver(new DriverContext(Map.of(), null, e -> {}), fake.host());
        var fp = driver.fingerprint();
        assertEquals(Health.UNDETECTED, fp.health());
        assertTrue(fp.healthDescription().startsWith("java not found in " + fake.bin), fp.healthDescription());
        assertEquals(Map.of(), fp.attributes());
    }

    @Test
    void unhealthyWhenJavaIsThereButNoRuntime() throws IOException {
        var fake = new FakeHost(tmp).v2("memory");
        fake.program("java", "openjdk version \"21.0.1\" 2023-10-17\nOpenJDK Runtime Environment\nOpenJDK 64-Bit Server VM", 0);
        var driver = new JavaDriver(new DriverContext(Map.of(), null, e -> {}), fake.host());
        var fp = driver.fingerprint();
        assertEquals(Health.UNHEALTHY, fp.health());
        assertTrue(fp.healthDescription().contains("crun unusable: not found"), fp.healthDescription());
    }

    @Test
    void taskConfigBuildsTheJavaCommandInTheSandbox() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var driver = new JavaDriver(new DriverContext(Map.of("allow_caps", List.of("chown", "kill")), null, e -> {}), fake.host());
        var cmd = driver.command(Tasks.task(tmp, "", Tasks.CHROOT_ENV, Map.of("jar_path", "local/app.jar", "jvm_options", List.of("-Xmx32m"),
                "args", List.of("serve"), "work_dir", "/local", "cap_drop", List.of("kill"))));
        assertEquals("java", cmd.cmd());
        assertEquals(List.of("-Xmx32m", "-jar", "local/app.jar", "serve"), cmd.args());
        assertEquals("/local", cmd.workDir());
        assertEquals("nobody", cmd.user());
        assertEquals(List.of("CAP_CHOWN"), cmd.isolation().capabilities());
        assertEquals(fake.bin.resolve("crun").toString(), cmd.isolation().runtime());
    }

    @Test
    void taskConfigErrors() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var driver = new JavaDriver(new DriverContext(Map.of(), null, e -> {}), fake.host());
        var none = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("args", List.of("x"))));
        assertTrue(none.getMessage().startsWith("one of config.jar_path or config.class is required"), none.getMessage());
        var unknown = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("jar", "app.jar")));
        assertEquals("config: unknown field \"jar\"; allowed: args, cap_add, cap_drop, class, class_path, ipc_mode, isolation, jar_path,"
                + " jvm_options, pid_mode, pids_limit, work_dir", unknown.getMessage());
        var opts = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("class", "Main", "jvm_options", "-Xmx1g")));
        assertTrue(opts.getMessage().startsWith("config.jvm_options: expected a list of strings"), opts.getMessage());
        var caps = assertThrows(DroverException.class, () -> driver.validateTaskConfig(Map.of("class", "Main", "cap_add", List.of("net_raw"))));
        assertTrue(caps.getMessage().startsWith("driver does not allow the following capabilities: net_raw"), caps.getMessage());
    }

    private static List<Path> plus(List<Path> a, Path b) {
        var out = new ArrayList<>(a);
        out.add(b);
        return out;
    }
}
