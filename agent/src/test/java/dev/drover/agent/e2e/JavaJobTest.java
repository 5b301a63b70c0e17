package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The java driver end to end: a jar compiled here for the host's JVM (the {@code java} on the
 * host, seen in the sandbox through the read-only /usr and /etc), made visible in the sandbox at
 * /opt/app through the client's chroot_env, run as nobody with the task's jvm_options and args.
 */
class JavaJobTest extends AgentTestBase {
    /** The host `java` these machines have is 17; classes for it must not be newer. */
    private static final String RELEASE = "17";
    private static final String SANDBOX_APP = "/opt/app";
    private static Path appDir;

    @BeforeAll
    static void buildJar() throws Exception {
        var compiler = ToolProvider.getSystemJavaCompiler();
        assertNotNull(compiler, "the test JVM has no system Java compiler (a JDK, not a JRE, is needed)");
        assertTrue(Files.isExecutable(Path.of("/usr/bin/java")), "the java driver needs a host java at /usr/bin/java (apt-get install default-jre-headless)");
        // Outside the test's 0700 temp dirs, readable by nobody.
        appDir = Files.createTempDirectory("drover-java-e2e-", PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path src = appDir.resolve("src/Main.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, """
                public class Main {
                    public static void main(String[] args) {
                        System.out.println("user=" + System.getProperty("user.name"));
                        System.out.println("task_dir=" + System.getenv("NOMAD_TASK_DIR"));
                        System.out.println("x=" + System.getProperty("x"));
                        System.out.println("args=" + String.join(",", args));
                    }
                }
                """);
        Path classes = appDir.resolve("classes");
        Files.createDirectories(classes);
        var errors = new ByteArrayOutputStream();
        int rc = compiler.run(null, null, errors, "--release", RELEASE, "-d", classes.toString(), src.toString());
        assertEquals(0, rc, "javac failed: " + errors);
        var manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "Main");
        try (var jar = new JarOutputStream(Files.newOutputStream(appDir.resolve("hello.jar")), manifest)) {
            jar.putNextEntry(new JarEntry("Main.class"));
            jar.write(Files.readAllBytes(classes.resolve("Main.class")));
            jar.closeEntry();
        }
    }

    @AfterAll
    static void removeJar() throws IOException {
        if (appDir == null) return;
        try (var walk = Files.walk(appDir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    /** The default chroot_env plus the jar's dir: a client chroot_env replaces the default set, as in Nomad. */
    @Override
    Map<String, Map<String, Object>> plugins() {
        var chroot = new LinkedHashMap<String, Object>();
        for (String p : List.of("/bin", "/etc", "/lib", "/lib32", "/lib64", "/sbin", "/usr")) chroot.put(p, p);
        chroot.put(appDir.toString(), SANDBOX_APP);
        return Map.of("java", Map.of("chroot_env", chroot));
    }

    @Test
    void aJarAndAClassRunInTheSandboxWithTheirJvmOptionsAndArgs() throws Exception {
        String alloc = agent.run("""
                job "java" {
                  type = "batch"
                  group "g" {
                    task "jar" {
                      driver = "java"
                      config {
                        jar_path    = "%1$s/hello.jar"
                        jvm_options = ["-Xmx32m", "-Dx=y"]
                        args        = ["one", "two"]
                      }
                    }
                    task "class" {
                      driver = "java"
                      config {
                        class       = "Main"
                        class_path  = "%1$s/hello.jar"
                        jvm_options = ["-Dx=from-class"]
                      }
                    }
                  }
                }
                """.formatted(SANDBOX_APP)).getFirst();
        for (String task : List.of("jar", "class")) {
            var state = agent.awaitState(alloc, task, "dead");
            assertFalse(state.path("Failed").asBoolean(), task + ": " + state + "\nstderr: " + agent.logs(alloc, task, "stderr", ""));
        }
        assertEquals("user=nobody\ntask_dir=/local\nx=y\nargs=one,two\n", agent.logs(alloc, "jar", "stdout", ""));
        assertEquals("user=nobody\ntask_dir=/local\nx=from-class\nargs=\n", agent.logs(alloc, "class", "stdout", ""));
    }

    @Test
    void nodeSelfShowsTheHostJvm() throws Exception {
        var node = agent.get("/v1/node/self");
        assertTrue(node.path("Drivers").path("java").path("Healthy").asBoolean(), node.path("Drivers").toString());
        assertTrue(node.path("Attributes").path("driver.java.version").asString().startsWith(RELEASE),
                node.path("Attributes").toString());
    }
}
