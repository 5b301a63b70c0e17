package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.docker.api.DockerApiException;
import dev.drover.sdk.DroverException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, private Docker Engine and a real registry for tests: {@code dockerd} on its own socket,
 * data root and exec root under a fresh temp dir (no iptables, no default bridge), and Debian's
 * {@code docker-registry} on 127.0.0.1. Images are built here from busybox-static ({@code docker
 * import} of a rootfs) and pushed to the registry, so a driver's pull is a real pull. A missing
 * prerequisite fails with how to install it; nothing is skipped.
 *
 * <p>A test class holds one as {@code @RegisterExtension static final DockerFixture docker =
 * DockerFixture.perClass("name", paddingMB);}: started before the class's first test with the image
 * {@link #image()} pushed, closed after its last. Elsewhere {@link #start()} in a try-with-resources.
 */
public final class DockerFixture implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
    private final String imageName;
    private final int imagePaddingMB;
    private Path dir;
    private Process dockerd;
    private Process registry;
    private int registryPort;
    private DockerApi api;
    private String image;
    /** Closes the fixture if the test JVM exits without doing so (a class that failed before its afterAll). */
    private Thread exitHook;

    private DockerFixture(String imageName, int imagePaddingMB) {
        this.imageName = imageName;
        this.imagePaddingMB = imagePaddingMB;
    }

    /** An engine and registry for one test class, with {@code <registry>/<imageName>:1} pushed (see {@link #pushImage}). */
    public static DockerFixture perClass(String imageName, int paddingMB) {
        return new DockerFixture(imageName, paddingMB);
    }

    /** An engine and registry for one test class; the tests push their own images. */
    public static DockerFixture perClass() {
        return new DockerFixture(null, 0);
    }

    /** Starts an engine and a registry now; the caller closes them. */
    public static DockerFixture start() throws Exception {
        var fixture = new DockerFixture(null, 0);
        try {
            fixture.open();
        } catch (Exception | Error e) {
            fixture.close();
            throw e;
        }
        return fixture;
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        open();
        if (imageName != null) image = pushImage(imageName, "1", imagePaddingMB);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        close();
    }

    private void open() throws Exception {
        String dockerdBin = require("dockerd", "docker.io");
        String registryBin = require("docker-registry", "docker-registry");
        require("busybox", "busybox-static");
        // Short path: a unix socket path must fit in 108 bytes.
        dir = Files.createTempDirectory(Path.of("/tmp"), "dk");
        exitHook = new Thread(() -> {
            try {
                close();
            } catch (Exception ignored) {
                // best effort while the JVM exits
            }
        }, "docker-fixture-cleanup");
        Runtime.getRuntime().addShutdownHook(exitHook);
        dockerd = new ProcessBuilder(dockerdBin, "-H", "unix://" + dir.resolve("docker.sock"),
                "--data-root", dir.resolve("root").toString(), "--exec-root", dir.resolve("exec").toString(),
                "--pidfile", dir.resolve("dockerd.pid").toString(), "--iptables=false", "--ip6tables=false", "--bridge=none")
                .redirectErrorStream(true).redirectOutput(dir.resolve("dockerd.log").toFile()).start();
        api = new DockerApi("unix://" + dir.resolve("docker.sock"));
        awaitEngine(api, dockerd, dir.resolve("dockerd.log"));

        try (var probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            registryPort = probe.getLocalPort();
        }
        Files.writeString(dir.resolve("registry.yml"), """
                version: 0.1
                log:
                  level: warn
                storage:
                  filesystem:
                    rootdirectory: %s
                  delete:
                    enabled: true
                http:
                  addr: 127.0.0.1:%d
                """.formatted(dir.resolve("registry"), registryPort));
        registry = new ProcessBuilder(registryBin, "serve", dir.resolve("registry.yml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("registry.log").toFile()).start();
        awaitPort(registryPort, registry, dir.resolve("registry.log"));
    }

    /** The absolute path of {@code binary} on PATH (or the sbin dirs); fails naming the package. */
    static String require(String binary, String pkg) {
        var dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String d : dirs) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, binary))) return Path.of(d, binary).toString();
        }
        throw new IllegalStateException(binary + " not found on PATH: install " + pkg + " (apt-get install " + pkg + ")");
    }

    private static void awaitEngine(DockerApi api, Process dockerd, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                api.version(Duration.ofSeconds(2));
                return;
            } catch (DroverException e) {
                if (!dockerd.isAlive()) throw new IllegalStateException("dockerd exited with " + dockerd.exitValue() + tail(log));
                if (System.nanoTime() > deadline) {
                    dockerd.destroyForcibly();
                    throw new IllegalStateException("dockerd did not answer within 30 s: " + e.getMessage() + tail(log));
                }
                Thread.sleep(100);
            }
        }
    }

    private static void awaitPort(int port, Process process, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try (var s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException e) {
                if (!process.isAlive()) throw new IllegalStateException("docker-registry exited with " + process.exitValue() + tail(log));
                if (System.nanoTime() > deadline) throw new IllegalStateException("docker-registry not listening on " + port + tail(log));
                Thread.sleep(100);
            }
        }
    }

    /** Unmounts every mount point below {@code dir}, deepest first, as /proc/self/mountinfo lists them. */
    static void unmountUnder(Path dir) throws IOException, InterruptedException {
        var points = new ArrayList<String>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String point = line.split(" ")[4].replace("\\040", " ");
            if (point.startsWith(dir + "/")) points.add(point);
        }
        points.sort(Comparator.comparingInt(String::length).reversed());
        for (String point : points) {
            new ProcessBuilder("umount", "-l", point).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
        }
    }

    static String tail(Path log) {
        try {
            var lines = Files.readAllLines(log);
            return "; last log lines:\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    public String endpoint() {
        return api.endpoint();
    }

    public DockerApi api() {
        return api;
    }

    public Path dir() {
        return dir;
    }

    /** The image pushed for the class ({@link #perClass(String, int)}), absent from the engine until a test pulls it. */
    public String image() {
        if (image == null) throw new IllegalStateException("no image pushed: use DockerFixture.perClass(name, paddingMB)");
        return image;
    }

    /** {@code 127.0.0.1:<port>} of the registry. */
    public String registry() {
        return "127.0.0.1:" + registryPort;
    }

    /**
     * Builds a busybox image (plus {@code paddingMB} of incompressible data, to make a pull take a
     * while), pushes it as {@code <registry>/<name>:<tag>}, and removes it from the engine again so
     * the next user really pulls it. Returns the registry reference.
     */
    public String pushImage(String name, String tag, int paddingMB) throws Exception {
        Path rootfs = dir.resolve("rootfs-" + name + "-" + tag);
        Files.createDirectories(rootfs.resolve("bin"));
        Files.createDirectories(rootfs.resolve("tmp"));
        Files.copy(Path.of(require("busybox", "busybox-static")), rootfs.resolve("bin/busybox"));
        for (String applet : List.of("sh", "echo", "cat", "sleep", "ls", "id", "env", "seq", "tail", "head", "kill",
                "trap", "true", "false", "printf", "wc", "nc", "httpd", "test", "hostname", "date", "touch", "mkdir", "tty", "stty", "pwd")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
        if (paddingMB > 0) {
            byte[] block = new byte[1 << 20];
            var random = new SecureRandom();
            try (var out = Files.newOutputStream(rootfs.resolve("padding"))) {
                for (int i = 0; i < paddingMB; i++) {
                    random.nextBytes(block);
                    out.write(block);
                }
            }
        }
        var tar = new ProcessBuilder("tar", "-C", rootfs.toString(), "-c", ".").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        byte[] bytes = tar.getInputStream().readAllBytes();
        if (tar.waitFor() != 0) throw new IllegalStateException("tar of " + rootfs + " failed");
        String repo = registry() + "/" + name;
        api.importImage(bytes, repo, tag);
        api.push(repo, tag, ImagePuller.authHeader(null), Duration.ofMinutes(2));
        api.removeImage(repo + ":" + tag, true);
        return repo + ":" + tag;
    }

    /** Containers of the engine (running or not) that carry Drover's labels. */
    public List<String> droverContainers() {
        return api.listContainers(ContainerSpec.LABEL_ALLOC_ID).stream().map(c -> c.path("Names").path(0).asString()).toList();
    }

    /** Force-removes every container carrying Drover's labels. */
    public void removeDroverContainers() {
        for (var c : api.listContainers(ContainerSpec.LABEL_ALLOC_ID)) {
            try {
                api.removeContainer(c.path("Id").asString(), true);
            } catch (DockerApiException ignored) {
                // already gone
            }
        }
    }

    public boolean imagePresent(String ref) {
        return api.inspectImage(ref).isPresent();
    }

    /** Stops what {@link #open} started, as far as it got; safe to call again. */
    @Override
    public synchronized void close() throws Exception {
        if (dir == null) return;
        if (dockerd != null) {
            try {
                if (api != null) removeDroverContainers();
            } catch (DroverException ignored) {
                // engine already down
            }
            dockerd.destroy(); // SIGTERM: stops its containerd and containers, unmounts its layers
            if (!dockerd.waitFor(20, TimeUnit.SECONDS)) dockerd.destroyForcibly().waitFor();
        }
        if (registry != null) {
            registry.destroy();
            if (!registry.waitFor(5, TimeUnit.SECONDS)) registry.destroyForcibly().waitFor();
        }
        unmountUnder(dir); // dockerd leaves e.g. exec/netns/default (an nsfs mount) behind
        try (var walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        dir = null;
        if (exitHook != null && Thread.currentThread() != exitHook) {
            try {
                Runtime.getRuntime().removeShutdownHook(exitHook);
            } catch (IllegalStateException exiting) {
                // the JVM is shutting down already
            }
        }
        exitHook = null;
        dockerd = registry = null;
        api = null;
        image = null;
    }
}
