package dev.drover.sdk.plugin.jvm;

import java.io.File;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A class data cache for one plugin's JVMs: the classes a plugin loads up to its handshake, archived once,
 * so later plugin JVMs map them (shared with their siblings) instead of parsing them into private memory.
 * Two kinds ({@link Kind}): a static CDS archive of just the classes the plugin uses (the default: ~0.5 MiB
 * less private memory per plugin JVM than a dynamic archive, see bench/jvm/README.md), or a JDK 25 AOT cache
 * (JEP 483/514/515; ~2 MiB more per plugin). A dynamic CDS archive ({@code -XX:ArchiveClassesAtExit}) was a
 * third kind until its training JVMs were seen crashing in HotSpot (SIGSEGV in
 * {@code LambdaProxyClassDictionary::find_lambda_proxy_class}, JDK 25.0.3) in about one training run of five.
 *
 * <p>One file per plugin name, {@code <name>-<key>.<jsa|aot>} in a private directory. The key hashes what
 * the JVM checks before it trusts a cache (JDK build, class path jars with sizes and mtimes, JVM options, kind),
 * so a rebuild or a JDK update simply selects a new file. Rules:
 * <ul>
 *   <li>Only for a class path of jars: the JDK cannot archive classes from directories (tests running from
 *       {@code target/classes} get no cache).</li>
 *   <li>A launch never waits for the cache. The first launch of a plugin runs without one and starts the
 *       creation in the background (niced): a training run of the real plugin (handshake, {@code plugin.info},
 *       one task's worth of its calls ({@link TrainingCalls}), {@code plugin.shutdown}; the JVM writes what it
 *       loaded when it exits), for a static archive or an AOT cache the assembly step, then a check that the JVM accepts the new file ({@code -Xshare:on} / {@code -XX:AOTMode=on}
 *       fail instead of ignoring an unusable file), then an atomic rename into place.</li>
 *   <li>One creator per key: an in-process map plus an exclusive lock on {@code <name>-<key>.lock}, so
 *       concurrent launches (in this or another agent) never race on the file; losers go without.</li>
 *   <li>A bad file never breaks a launch: the JVM ignores a cache it cannot use ({@code -Xshare:auto},
 *       {@code -XX:AOTMode=auto}); a launch that fails with the cache is repeated without it, and a plugin that
 *       did not map its cache gets the cache discarded ({@link #discard}: deleted and the key marked failed, so
 *       it is not re-created until the key changes).</li>
 *   <li>The directory must be ours: created 0700, and a directory owned by someone else or writable by group
 *       or others disables the cache (an archive is code the plugin JVM trusts).</li>
 * </ul>
 * The JVMs that create a file (training run, assembly, check) are {@link CacheBuild}'s.
 */
public final class ClassDataCache {
    private static final Logger LOG = Logger.getLogger(ClassDataCache.class.getName());

    /** What kind of archive, chosen with {@link #KIND_PROPERTY} ({@code cds} or {@code aot}). */
    public enum Kind {
        /**
         * Static CDS archive of the plugin's classes, JDK ones included, replacing the JDK's own: the training run's
         * {@code -XX:DumpLoadedClassList}, then {@code -Xshare:dump}. Holds only what the plugin uses, so fewer of
         * its pages are written per JVM than of the JDK's archive plus a dynamic one.
         */
        STATIC("jsa"),
        /** AOT cache (JDK 25): {@code -XX:AOTMode=record/create}, {@code -XX:AOTCache}. */
        AOT("aot");

        final String extension;

        Kind(String extension) {
            this.extension = extension;
        }

        /** The kind named by {@link #KIND_PROPERTY}: "static" (the default) or "aot". */
        public static Kind configured() {
            return switch (System.getProperty(KIND_PROPERTY, "static").strip().toLowerCase(Locale.ROOT)) {
                case "aot" -> AOT;
                default -> STATIC;
            };
        }
    }

    public static final String KIND_PROPERTY = "drover.plugin.jvm.cache.kind";
    /** Options under which the JVM's class data sharing is the caller's business, not ours. */
    private static final List<String> OWN_CDS_OPTIONS = List.of("-XX:AOTCache", "-XX:AOTMode", "-XX:AOTCacheOutput",
            "-XX:AOTConfiguration", "-Xshare", "-XX:SharedArchiveFile", "-XX:ArchiveClassesAtExit",
            "-XX:+AutoCreateSharedArchive", "-XX:SharedClassListFile", "-XX:DumpLoadedClassList");
    /** A JVM unified-logging line, e.g. {@code [0.011s][warning][cds] ...}: JVM chatter, not the plugin. */
    public static final Pattern JVM_LOG_LINE = Pattern.compile("^\\[\\d+[.,]\\d+s]\\[\\w+ *].*");
    private static final Duration STALE_TEMP = Duration.ofHours(1);
    private final Path dir;
    private final String java;
    private final String classPath;
    private final Function<String, List<String>> jvmOptionsFor;
    private final Kind kind;
    private final CacheBuild build;
    private final String disabledReason;
    private final ConcurrentHashMap<String, CompletableFuture<Optional<Path>>> creations = new ConcurrentHashMap<>();
    private volatile String dirProblem;

    /**
     * @param dir        where cache files live (created 0700 on first use)
     * @param socketDir  where the training run's plugin puts its socket (the launcher's state dir)
     * @param java       the java binary plugins run with
     * @param classPath  the plugins' class path, exactly as passed to {@code -cp}
     * @param jvmOptions the plugins' JVM options, without any cache option
     */
    public ClassDataCache(Kind kind, Path dir, Path socketDir, String java, String classPath, List<String> jvmOptions) {
        this(kind, dir, socketDir, java, classPath, jvmOptions, name -> jvmOptions);
    }

    /** As above, for plugins whose JVM options differ by name: {@code jvmOptionsFor} gives a plugin's own. */
    public ClassDataCache(Kind kind, Path dir, Path socketDir, String java, String classPath, List<String> jvmOptions,
                          Function<String, List<String>> jvmOptionsFor) {
        this.kind = kind;
        this.dir = dir;
        this.java = java;
        this.classPath = classPath;
        this.jvmOptionsFor = jvmOptionsFor;
        this.build = new CacheBuild(kind, dir, socketDir, java, classPath, jvmOptionsFor);
        this.disabledReason = checkUsable(kind, classPath, jvmOptions);
    }

    public Kind kind() {
        return kind;
    }

    /** Why no cache is used for these plugins, or empty when one is. */
    public Optional<String> disabledReason() {
        return Optional.ofNullable(disabledReason != null ? disabledReason : dirProblem);
    }

    private static String checkUsable(Kind kind, String classPath, List<String> jvmOptions) {
        if (kind == Kind.AOT && Runtime.version().feature() < 25) return "JDK " + Runtime.version().feature() + " has no AOT cache";
        for (var option : jvmOptions) {
            for (var own : OWN_CDS_OPTIONS) {
                if (option.startsWith(own)) return "the JVM options set class data sharing themselves (" + option + ")";
            }
        }
        if (classPath == null || classPath.isBlank()) return "empty class path";
        for (var entry : classPath.split(File.pathSeparator, -1)) {
            if (entry.isEmpty()) return "empty class path entry";
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return "class path entry " + entry + " is not a jar file (the JDK archives classes from jars only)";
            }
        }
        return null;
    }

    /**
     * Identifies a cache: kind, plugin name, JDK build (version, java binary, libjvm, modules image and base CDS
     * archive with sizes and mtimes), every class path entry in order with size and mtime, and the JVM options.
     */
    public String key(String name) {
        try {
            var digest = MessageDigest.getInstance("SHA-256");
            var text = new StringBuilder("drover-class-data-1 ").append(kind).append('\n').append(name).append('\n')
                    .append(System.getProperty("java.vm.vendor")).append(' ').append(System.getProperty("java.vm.version")).append('\n')
                    .append(stamp(Path.of(java))).append('\n');
            var home = Path.of(System.getProperty("java.home"));
            for (var file : List.of("lib/modules", "lib/server/libjvm.so", "lib/server/classes.jsa")) {
                text.append(stamp(home.resolve(file))).append('\n');
            }
            for (var entry : classPath.split(File.pathSeparator, -1)) text.append(stamp(Path.of(entry))).append('\n');
            text.append(String.join("\u0000", jvmOptionsFor.apply(name)));
            return HexFormat.of().formatHex(digest.digest(text.toString().getBytes(StandardCharsets.UTF_8)), 0, 10);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String stamp(Path path) {
        try {
            var absolute = path.toAbsolutePath();
            return absolute + " " + Files.size(absolute) + " " + Files.getLastModifiedTime(absolute).toMillis();
        } catch (IOException e) {
            return path + " missing";
        }
    }

    /** The cache file for plugin {@code name} under the current key. */
    public Path file(String name) {
        return dir.resolve(name + "-" + key(name) + "." + kind.extension);
    }

    /**
     * The options that make a launch of plugin {@code name} use its cache when the file exists, otherwise none.
     * Never blocks and never throws.
     */
    public List<String> optionsFor(String name) {
        if (disabledReason != null || !dirUsable()) return List.of();
        try {
            var file = file(name);
            if (!Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) return List.of();
            return switch (kind) {
                // A cache the JVM does not use is noticed by the launcher (it is not mapped), not by log lines.
                case STATIC -> List.of("-Xshare:auto", "-XX:SharedArchiveFile=" + file, "-Xlog:cds*=off", "-Xlog:cds*=off:stderr");
                case AOT -> List.of("-XX:AOTMode=auto", "-XX:AOTCache=" + file);
            };
        } catch (RuntimeException e) {
            LOG.fine("no class data cache for " + name + ": " + e);
            return List.of();
        }
    }

    /** Whether process {@code pid} maps the cache file of {@code name}, i.e. its JVM accepted the cache. */
    public boolean isMappedBy(long pid, String name) {
        try {
            return Files.readString(Path.of("/proc/" + pid + "/maps")).contains(file(name).toString());
        } catch (IOException | RuntimeException e) {
            return true; // cannot tell (gone already): no reason to blame the cache
        }
    }

    /**
     * Starts creating the cache of plugin {@code name} in the background unless it exists, is being created
     * (here or by another process), or failed before. Never blocks and never throws.
     */
    public void createInBackground(String name) {
        if (disabledReason != null) return;
        try {
            String key = key(name);
            if (creations.containsKey(key) || Files.exists(file(name))) return;
            creations.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> createNow(name, k), Thread::startVirtualThread));
        } catch (RuntimeException e) {
            LOG.fine("no class data cache for " + name + ": " + e);
        }
    }

    /**
     * Creates the cache of plugin {@code name} now unless it exists: the file, or empty when it could not be
     * created (the reason is logged) or another process holds the creation lock.
     */
    public Optional<Path> create(String name) {
        if (disabledReason != null) return Optional.empty();
        String key = key(name);
        return creations.computeIfAbsent(key, k -> CompletableFuture.supplyAsync(() -> createNow(name, k), Thread::startVirtualThread)).join();
    }

    /**
     * Gives up on the current cache of {@code name}: deletes the file and marks the key failed, so it is neither
     * used nor created again until the key changes.
     */
    public void discard(String name, String why) {
        try {
            String base = name + "-" + key(name);
            Files.writeString(dir.resolve(base + ".failed"), why + "\n");
            Files.deleteIfExists(dir.resolve(base + "." + kind.extension));
            LOG.warning("discarded the class data cache of the " + name + " plugin: " + why);
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not discard the class data cache of the " + name + " plugin: " + e);
        }
    }

    private boolean dirUsable() {
        if (dirProblem != null) return false;
        try {
            if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(dir.getParent());
                try {
                    Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (FileAlreadyExistsException e) {
                    // created by a concurrent launcher: checked below like any existing directory
                }
            }
            int owner = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
            int self = (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
            var perms = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            if (owner != self) {
                dirProblem = "cache directory " + dir + " belongs to uid " + owner + ", not to us (uid " + self + ")";
            } else if (perms.contains(PosixFilePermission.GROUP_WRITE) || perms.contains(PosixFilePermission.OTHERS_WRITE)) {
                dirProblem = "cache directory " + dir + " is writable by group or others";
            }
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            dirProblem = "cache directory " + dir + " is unusable: " + e;
        }
        if (dirProblem != null) LOG.warning("plugin JVMs run without a class data cache: " + dirProblem);
        return dirProblem == null;
    }

    private Optional<Path> createNow(String name, String key) {
        if (!dirUsable()) return Optional.empty();
        String base = name + "-" + key;
        var target = dir.resolve(base + "." + kind.extension);
        var failed = dir.resolve(base + ".failed");
        if (Files.exists(target)) return Optional.of(target);
        if (Files.exists(failed)) return Optional.empty();
        try (var lockChannel = FileChannel.open(dir.resolve(base + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // another cache object of this JVM is at it
            }
            if (lock == null) return Optional.empty(); // someone else creates it; a later launch will find it
            try {
                if (Files.exists(target)) return Optional.of(target);
                if (Files.exists(failed)) return Optional.empty();
                long t0 = System.nanoTime();
                try {
                    build.build(name, base, target);
                } catch (IOException | RuntimeException e) {
                    // A JVM that refused (bad exit code, cache rejected) will refuse again: remember that. A step
                    // killed by a signal (the agent stopping, a cleanup) or timed out under load is tried again later.
                    boolean permanent = !(e instanceof CacheBuild.StepFailed f) || f.permanent;
                    if (permanent) Files.writeString(failed, e.getMessage() + "\n");
                    else creations.remove(key);
                    LOG.warning("could not create the class data cache of the " + name + " plugin (it runs without one"
                            + (permanent ? "" : " this time") + "): " + e.getMessage() + "; see " + dir.resolve(base + ".log"));
                    return Optional.empty();
                }
                LOG.info("created the class data cache of the " + name + " plugin in " + (System.nanoTime() - t0) / 1_000_000 + " ms: " + target);
                removeStale(name, key);
                return Optional.of(target);
            } finally {
                lock.release();
            }
        } catch (IOException | RuntimeException e) {
            LOG.warning("could not create the class data cache of the " + name + " plugin: " + e);
            return Optional.empty();
        }
    }

    /** Deletes this plugin's files of other keys (older builds or JDKs) and leftovers of crashed creations. */
    private void removeStale(String name, String key) {
        String prefix = name + "-";
        long staleBefore = System.currentTimeMillis() - STALE_TEMP.toMillis();
        try (var files = Files.list(dir)) {
            for (var file : files.toList()) {
                String f = file.getFileName().toString();
                if (!f.startsWith(prefix)) continue;
                String rest = f.substring(prefix.length());
                // <key>.<ext>, the key being 20 hex digits; other plugins whose name has this prefix look different
                if (rest.length() < 21 || rest.charAt(20) != '.' || !rest.substring(0, 20).matches("[0-9a-f]{20}")) continue;
                boolean temp = f.contains(".tmp-");
                boolean old = Files.getLastModifiedTime(file).toMillis() < staleBefore;
                // another key's temp file may be a creation in progress by an agent of another build
                if (rest.startsWith(key) ? temp && old : !temp || old) Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            LOG.fine("could not clean up old class data caches in " + dir + ": " + e);
        }
    }
}
