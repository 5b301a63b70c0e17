package dev.drover.sdk.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.plugin.jvm.ClassDataCache;
import dev.drover.sdk.plugin.jvm.ClassDataCache.Kind;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.jar.JarOutputStream;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The plugin JVMs' AOT cache: keyed, optional, created once, and never in the way of a launch. */
class PluginJvmCacheTest {
    @TempDir
    static Path jars;
    /** The test class path with every directory packed into a jar: what the JDK can archive. */
    static String jarClassPath;
    static final List<String> OPTIONS = PluginLauncher.parseOptions(PluginLauncher.DEFAULT_JVM_OPTIONS);

    @BeforeAll
    static void packClassPath() throws IOException {
        var entries = new ArrayList<String>();
        int i = 0;
        for (var entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            var path = Path.of(entry);
            if (Files.isDirectory(path)) {
                var jar = jars.resolve((i++) + "-" + path.getFileName() + ".jar");
                packDirectory(path, jar);
                entries.add(jar.toString());
            } else if (entry.endsWith(".jar") && Files.isRegularFile(path)) {
                entries.add(entry);
            }
        }
        jarClassPath = String.join(File.pathSeparator, entries);
    }

    private static void packDirectory(Path dir, Path jar) throws IOException {
        try (var out = new JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(dir)) {
            for (var file : files.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry(dir.relativize(file).toString().replace(File.separatorChar, '/')));
                Files.copy(file, out);
                out.closeEntry();
            }
        }
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    private static Path emptyJar(Path dir, String name) throws IOException {
        var jar = dir.resolve(name);
        try (var out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new ZipEntry("x.txt"));
            out.write(name.getBytes());
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void keyChangesWhenTheClassPathChanges(@TempDir Path dir) throws IOException {
        var a = emptyJar(dir, "a.jar");
        var b = emptyJar(dir, "b.jar");
        var c = emptyJar(dir, "c.jar");
        String ab = a + File.pathSeparator + b;
        var cache = new ClassDataCache(Kind.STATIC, dir.resolve("cache"), dir, java(), ab, OPTIONS);
        String key = cache.key("echo");
        assertTrue(cache.disabledReason().isEmpty(), () -> cache.disabledReason().orElseThrow());
        assertEquals(key, new ClassDataCache(Kind.STATIC, dir.resolve("cache"), dir, java(), ab, OPTIONS).key("echo"), "stable for the same inputs");
        assertNotEquals(key, cache.key("other"), "per plugin");
        assertNotEquals(key, new ClassDataCache(Kind.STATIC, dir, dir, java(), ab + File.pathSeparator + c, OPTIONS).key("echo"), "a jar added");
        assertNotEquals(key, new ClassDataCache(Kind.STATIC, dir, dir, java(), b + File.pathSeparator + a, OPTIONS).key("echo"), "order changed");
        assertNotEquals(key, new ClassDataCache(Kind.STATIC, dir, dir, java(), ab, List.of("-Xmx32m")).key("echo"), "other JVM options");
        assertNotEquals(key, new ClassDataCache(Kind.AOT, dir, dir, java(), ab, OPTIONS).key("echo"), "other kind");
        var perName = new ClassDataCache(Kind.STATIC, dir.resolve("cache"), dir, java(), ab, OPTIONS,
                n -> n.equals("big") ? List.of("-Xmx512m") : OPTIONS);
        assertEquals(key, perName.key("echo"));
        assertNotEquals(new ClassDataCache(Kind.STATIC, dir.resolve("cache"), dir, java(), ab, OPTIONS).key("big"), perName.key("big"),
                "a plugin's own JVM options");

        Files.setLastModifiedTime(b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis() - 60_000));
        String touched = cache.key("echo");
        assertNotEquals(key, touched, "a jar's mtime changed");
        Files.write(b, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
        Files.setLastModifiedTime(b, FileTime.fromMillis(Files.getLastModifiedTime(b).toMillis()));
        assertNotEquals(touched, cache.key("echo"), "a jar's size changed");
        assertEquals(cache.key("echo"), cache.key("echo"));
        assertTrue(cache.file("echo").getFileName().toString().matches("echo-[0-9a-f]{20}\\.jsa"), cache.file("echo").toString());
    }

    @Test
    void aDirectoryOnTheClassPathDisablesTheCache(@TempDir Path dir) throws Exception {
        var jar = emptyJar(dir, "a.jar");
        var classes = Files.createDirectories(dir.resolve("classes"));
        var cache = new ClassDataCache(Kind.STATIC, dir.resolve("cache"), dir, java(), jar + File.pathSeparator + classes, OPTIONS);
        assertTrue(cache.disabledReason().orElseThrow().contains("not a jar"), cache.disabledReason().orElseThrow());
        assertEquals(List.of(), cache.optionsFor("echo"));
        cache.createInBackground("echo");
        assertEquals(Optional.empty(), cache.create("echo"));
        assertFalse(Files.exists(dir.resolve("cache")), "nothing created");

        // The test class path has target/classes on it: the launcher goes without a cache and still launches.
        var launcher = new PluginLauncher(dir.resolve("state"), dir.resolve("jvm-cache"));
        assertTrue(launcher.classDataCache().isEmpty());
        var conn = launcher.launch(EchoPlugin.NAME);
        try {
            assertEquals("hi", conn.client().call(EchoPlugin.SAY, "", new EchoPlugin.Text("hi")).text());
        } finally {
            conn.shutdown(2_000);
        }
        assertFalse(Files.exists(dir.resolve("jvm-cache")), "no cache dir for a class path with directories");
    }

    @Test
    void jvmOptionsThatManageSharingThemselvesDisableTheCache(@TempDir Path dir) {
        var options = new ArrayList<>(OPTIONS);
        options.add("-Xshare:off");
        assertTrue(new ClassDataCache(Kind.STATIC, dir, dir, java(), jarClassPath, options).disabledReason().isPresent());
        assertTrue(new ClassDataCache(Kind.STATIC, dir, dir, java(), jarClassPath, OPTIONS).disabledReason().isEmpty());
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void aCorruptCacheFileDoesNotBreakALaunchAndIsDiscarded(Kind kind, @TempDir Path dir) throws Exception {
        var launcher = new PluginLauncher(dir.resolve("state"), dir.resolve("jvm-cache"), kind, jarClassPath, OPTIONS);
        var cache = launcher.classDataCache().orElseThrow();
        assertEquals(List.of(), cache.optionsFor(EchoPlugin.NAME)); // creates the private dir
        var file = cache.file(EchoPlugin.NAME);
        var garbage = new byte[256 * 1024];
        new java.util.Random(42).nextBytes(garbage);
        Files.write(file, garbage);
        assertTrue(cache.optionsFor(EchoPlugin.NAME).stream().anyMatch(o -> o.endsWith("=" + file)));

        var conn = launcher.launch(EchoPlugin.NAME);
        try {
            assertEquals("still works", conn.client().call(EchoPlugin.SAY, "", new EchoPlugin.Text("still works")).text());
        } finally {
            conn.shutdown(2_000);
        }
        assertFalse(Files.exists(file), "a cache the JVM did not take is discarded");
        assertTrue(Files.exists(file.resolveSibling(file.getFileName().toString().replaceAll("\\.(jsa|aot)$", ".failed"))));
        assertEquals(List.of(), cache.optionsFor(EchoPlugin.NAME));
        cache.createInBackground(EchoPlugin.NAME); // not re-created for a key that failed
        assertEquals(Optional.empty(), cache.create(EchoPlugin.NAME));
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void concurrentCreationLeavesOneValidCacheThatLaterLaunchesMap(Kind kind, @TempDir Path dir) throws Exception {
        var cacheDir = dir.resolve("jvm-cache");
        var state = dir.resolve("state");
        // two launchers on one cache dir, as two agents would be; each asked twice at once
        var one = new PluginLauncher(state, cacheDir, kind, jarClassPath, OPTIONS).classDataCache().orElseThrow();
        var two = new PluginLauncher(state, cacheDir, kind, jarClassPath, OPTIONS).classDataCache().orElseThrow();
        var go = new CountDownLatch(1);
        var results = new ArrayList<Future<Optional<Path>>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (var cache : List.of(one, two, one, two)) {
                results.add(pool.submit(() -> {
                    go.await();
                    return cache.create(EchoPlugin.NAME);
                }));
            }
            go.countDown();
        }
        var file = one.file(EchoPlugin.NAME);
        int created = 0;
        for (var r : results) {
            if (r.get().isPresent()) {
                assertEquals(file, r.get().get());
                created++;
            }
        }
        assertTrue(created >= 1, "someone created it");
        try (var files = Files.list(cacheDir)) {
            var names = files.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(1, names.stream().filter(n -> n.endsWith(".jsa") || n.endsWith(".aot")).count(), names.toString());
            assertTrue(names.contains(file.getFileName().toString()), names.toString());
            assertTrue(names.stream().noneMatch(n -> n.contains(".tmp-") || n.endsWith(".failed")), names.toString());
        }
        try (var files = Files.list(state)) {
            assertTrue(files.noneMatch(p -> p.toString().endsWith(".sock")), "training socket removed");
        }
        // the JVM accepts it as is: AOTMode=on fails instead of ignoring an unusable cache
        var check = new ArrayList<>(List.of(java()));
        check.addAll(OPTIONS);
        check.addAll(kind == Kind.AOT ? List.of("-XX:AOTMode=on", "-XX:AOTCache=" + file) : List.of("-Xshare:on", "-XX:SharedArchiveFile=" + file));
        check.addAll(List.of("-cp", jarClassPath, "-version"));
        var process = new ProcessBuilder(check).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        assertEquals(0, process.waitFor(), out);

        // a launch now maps it
        var launcher = new PluginLauncher(state, cacheDir, kind, jarClassPath, OPTIONS);
        var conn = launcher.launch(EchoPlugin.NAME);
        try {
            assertTrue(Files.readString(Path.of("/proc/" + conn.reattach().process().pid() + "/maps")).contains(file.toString()),
                    "plugin maps its cache");
        } finally {
            conn.shutdown(2_000);
        }

        // truncated in place (a torn copy, a full disk): still launches, without it
        var bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length / 3));
        conn = launcher.launch(EchoPlugin.NAME);
        try {
            assertEquals("ok", conn.client().call(EchoPlugin.SAY, "", new EchoPlugin.Text("ok")).text());
        } finally {
            conn.shutdown(2_000);
        }
    }

    @Test
    void theFirstLaunchCreatesTheCacheInTheBackgroundForLaterOnes(@TempDir Path dir) throws Exception {
        var launcher = new PluginLauncher(dir.resolve("state"), dir.resolve("jvm-cache"), Kind.STATIC, jarClassPath, OPTIONS);
        var file = launcher.classDataCache().orElseThrow().file(EchoPlugin.NAME);
        var first = launcher.launch(EchoPlugin.NAME);
        first.shutdown(2_000);
        long deadline = System.currentTimeMillis() + 120_000;
        while (!Files.exists(file) && System.currentTimeMillis() < deadline) Thread.sleep(100);
        assertTrue(Files.exists(file), "cache created in the background");
        var second = launcher.launch(EchoPlugin.NAME);
        try {
            assertTrue(Files.readString(Path.of("/proc/" + second.reattach().process().pid() + "/maps")).contains(file.toString()));
        } finally {
            second.shutdown(2_000);
        }
    }

    @Test
    void jvmLogLinesOnStdoutDoNotSpoilTheHandshake(@TempDir Path dir) {
        // options that leave the JVM's log on stdout, with something to say before main() runs
        var options = new ArrayList<>(OPTIONS.stream().filter(o -> !o.startsWith("-Xlog")).toList());
        options.add("-Xlog:gc+init=info:stdout");
        var conn = new PluginLauncher(dir.resolve("state"), null, Kind.STATIC, System.getProperty("java.class.path"), options).launch(EchoPlugin.NAME);
        try {
            assertEquals("x", conn.client().call(EchoPlugin.SAY, "", new EchoPlugin.Text("x")).text());
        } finally {
            conn.shutdown(2_000);
        }
    }
}
