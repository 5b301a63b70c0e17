package dev.drover.executor.isolated;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.executor.Isolation;
import dev.drover.sdk.executor.Isolation.BindMount;
import dev.drover.sdk.executor.Isolation.Mode;
import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.rpc.Wire;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

class OciSpecTest {
    static final long NOMAD_DEFAULT_MASK = 0xa80405fbL;
    static final int NOBODY = 65534;
    static final List<BindMount> HOST_DIRS = List.of(
            new BindMount("/bin", "/bin", true), new BindMount("/lib", "/lib", true),
            new BindMount("/lib64", "/lib64", true), new BindMount("/usr", "/usr", true),
            new BindMount("/etc", "/etc", true));

    @TempDir Path temp;

    static Isolation isolation(Mode pid, Mode ipc, List<BindMount> mounts, boolean noPivot) {
        return new Isolation("crun", mounts, pid, ipc, List.copyOf(CapabilitySet.NOMAD_DEFAULTS), noPivot, 0);
    }

    static OciSpec.Input input(Path rootfs, int uid, Isolation isolation, String... argv) {
        return new OciSpec.Input("t-" + UUID.randomUUID().toString().substring(0, 8), rootfs, List.of(argv),
                Map.of("PATH", "/usr/bin:/bin", "A", "1", "NOMAD_TASK_DIR", "/local"), "/", uid, uid,
                List.of(), isolation, "", "web-1");
    }

    static JsonNode spec(OciSpec.Input in) {
        return Wire.JSON.readTree(OciSpec.json(in));
    }

    static List<String> strings(JsonNode array) {
        var out = new ArrayList<String>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    static List<String> namespaces(JsonNode spec) {
        var out = new ArrayList<String>();
        spec.get("linux").get("namespaces").forEach(n -> out.add(n.get("type").asString()));
        return out;
    }

    static List<String> destinations(JsonNode spec) {
        var out = new ArrayList<String>();
        spec.get("mounts").forEach(m -> out.add(m.get("destination").asString()));
        return out;
    }

    // ---- the JSON ----

    @Test
    void topLevelProcessAndRoot() {
        var spec = spec(input(Path.of("rel/task"), NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), "/bin/sh", "-c", "true"));
        assertEquals("1.0.2", spec.get("ociVersion").asString());
        assertEquals(Path.of("rel/task").toAbsolutePath().toString(), spec.get("root").get("path").asString());
        assertFalse(spec.get("root").get("readonly").asBoolean());
        assertEquals("web-1", spec.get("hostname").asString());
        var process = spec.get("process");
        assertFalse(process.get("terminal").asBoolean());
        assertFalse(process.get("noNewPrivileges").asBoolean());
        assertEquals(List.of("/bin/sh", "-c", "true"), strings(process.get("args")));
        assertEquals(List.of("A=1", "NOMAD_TASK_DIR=/local", "PATH=/usr/bin:/bin"), strings(process.get("env")));
        assertEquals("/", process.get("cwd").asString());
        assertEquals(NOBODY, process.get("user").get("uid").asInt());
        assertEquals(NOBODY, process.get("user").get("gid").asInt());
        assertFalse(process.has("rlimits"));
        assertFalse(process.has("oomScoreAdj"));
        assertFalse(spec.get("linux").has("seccomp"), "Nomad's exec driver has no seccomp profile by default");
        assertFalse(spec.get("linux").has("cgroupsPath"), "empty cgroupsPath is left to the runtime");
        assertEquals(List.of("devices"), List.copyOf(spec.get("linux").get("resources").propertyNames()));
    }

    @Test
    void hostnameDefaultsToTheIdAndCgroupsPathIsPassed() {
        var iso = isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false);
        var in = new OciSpec.Input("abc-1", temp, List.of("/x"), Map.of(), "", 1000, 1000, List.of(5, 20), iso, "/drover/leaf", null);
        var spec = spec(in);
        assertEquals("abc-1", spec.get("hostname").asString());
        assertEquals("/drover/leaf", spec.get("linux").get("cgroupsPath").asString());
        assertEquals("/", spec.get("process").get("cwd").asString());
        assertEquals("[5,20]", spec.get("process").get("user").get("additionalGids").toString());
        assertThrows(IllegalArgumentException.class, () -> new OciSpec.Input("a/b", temp, List.of("/x"), Map.of(), "/", 0, 0, List.of(), iso, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new OciSpec.Input("a", temp, List.of(), Map.of(), "/", 0, 0, List.of(), iso, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new OciSpec.Input("a", temp, List.of("/x"), Map.of(), "local", 0, 0, List.of(), iso, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new OciSpec.Input("a", temp, List.of("/x"), Map.of("A=B", "c"), "/", 0, 0, List.of(), iso, "", ""));
    }

    @Test
    void namespacesFollowTheModes() {
        assertEquals(List.of("mount", "uts", "pid", "ipc"), namespaces(spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false), "/x"))));
        assertEquals(List.of("mount", "uts", "ipc"), namespaces(spec(input(temp, NOBODY, isolation(Mode.HOST, Mode.PRIVATE, List.of(), false), "/x"))));
        assertEquals(List.of("mount", "uts", "pid"), namespaces(spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.HOST, List.of(), false), "/x"))));
        assertEquals(List.of("mount", "uts"), namespaces(spec(input(temp, NOBODY, isolation(Mode.HOST, Mode.HOST, List.of(), false), "/x"))));
    }

    @Test
    void nonRootGetsItsCapsInAllFiveSets() {
        var iso = new Isolation("crun", List.of(), null, null, List.of("CAP_KILL", "CAP_CHOWN"), false, 0);
        var caps = spec(input(temp, 1000, iso, "/x")).get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted", "inheritable", "ambient")) {
            assertEquals(List.of("CAP_CHOWN", "CAP_KILL"), strings(caps.get(set)), set);
        }
    }

    @Test
    void rootGetsTheLegacySetAndNoAmbient() {
        var iso = isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false);
        var caps = spec(input(temp, 0, iso, "/x")).get("process").get("capabilities");
        for (String set : List.of("bounding", "effective", "permitted")) {
            assertEquals(OciSpec.capabilities(0, iso), strings(caps.get(set)), set);
        }
        assertFalse(caps.has("inheritable"));
        assertFalse(caps.has("ambient"));
        assertEquals(List.copyOf(CapabilitySet.LEGACY_SUPPORTED), OciSpec.capabilities(0, iso, -1L));
        assertEquals(CapabilitySet.bitmask(CapabilitySet.LEGACY_SUPPORTED) & OciSpec.HOST_BOUNDING,
                CapabilitySet.bitmask(OciSpec.capabilities(0, iso)));
    }

    @Test
    void rootLosesOnlyWhatTheHostWithholds() throws Exception {
        var iso = isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false);
        long withoutSysResource = 0x1fffeffffffL;  // what an agent in a container may hold
        var caps = OciSpec.capabilities(0, iso, withoutSysResource);
        assertEquals(37, caps.size());
        assertFalse(caps.contains("CAP_SYS_RESOURCE"));
        assertEquals((1L << 38) - 1 - (1L << 24), CapabilitySet.bitmask(caps));
        // A user's explicit list is not shrunk: the runtime must refuse it instead.
        assertEquals(List.of("CAP_SYS_RESOURCE"), OciSpec.capabilities(1000,
                new Isolation("crun", List.of(), null, null, List.of("CAP_SYS_RESOURCE"), false, 0), 0L));
        var status = Files.writeString(temp.resolve("status"), "Name:\tx\nCapInh:\t0000000000000000\nCapBnd:\t000001fffeffffff\n");
        assertEquals(withoutSysResource, OciSpec.readBounding(status));
        assertEquals(-1L, OciSpec.readBounding(temp.resolve("missing")));
    }

    @Test
    void kernelMountsFirstThenBindsWithTheirMode() {
        var binds = List.of(new BindMount("/usr", "/usr", true), new BindMount("/srv/alloc", "/alloc", false));
        var spec = spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, binds, false), "/x"));
        assertEquals(List.of("/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue", "/sys", "/usr", "/alloc"), destinations(spec));
        var mounts = spec.get("mounts");
        assertEquals("proc", mounts.get(0).get("type").asString());
        assertEquals("tmpfs", mounts.get(1).get("type").asString());
        assertTrue(strings(mounts.get(1).get("options")).containsAll(List.of("mode=755", "size=65536k", "nosuid", "strictatime")));
        assertTrue(strings(mounts.get(2).get("options")).containsAll(List.of("newinstance", "ptmxmode=0666", "mode=0620", "gid=5")));
        assertTrue(strings(mounts.get(3).get("options")).containsAll(List.of("nosuid", "noexec", "nodev")));
        assertEquals("mqueue", mounts.get(4).get("type").asString());
        assertTrue(strings(mounts.get(5).get("options")).containsAll(List.of("ro", "nosuid", "noexec", "nodev")));
        var usr = mounts.get(6);
        assertEquals("bind", usr.get("type").asString());
        assertEquals("/usr", usr.get("source").asString());
        assertEquals(List.of("rbind", "ro", "rprivate"), strings(usr.get("options")));
        var alloc = mounts.get(7);
        assertEquals("/srv/alloc", alloc.get("source").asString());
        assertEquals(List.of("rbind", "rw", "rprivate"), strings(alloc.get("options")));
        assertFalse(destinations(spec).contains("/tmp"), "the task dir's tmp/ is the sandbox's /tmp");
    }

    @Test
    void noMqueueWithTheHostIpcNamespace() {
        var spec = spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.HOST, List.of(), false), "/x"));
        assertFalse(destinations(spec).contains("/dev/mqueue"));
    }

    @Test
    void maskedAndReadonlyPathsAreDockers() {
        var linux = spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false), "/x")).get("linux");
        assertEquals(List.of("/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
                "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
                "/sys/devices/virtual/powercap"), strings(linux.get("maskedPaths")));
        assertEquals(List.of("/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"), strings(linux.get("readonlyPaths")));
    }

    @Test
    void devicesAndTheirAllowList() {
        var linux = spec(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false), "/x")).get("linux");
        var nodes = new ArrayList<String>();
        for (JsonNode d : linux.get("devices")) {
            nodes.add(d.get("path").asString() + " " + d.get("major").asInt() + ":" + d.get("minor").asInt());
            assertEquals("c", d.get("type").asString());
            assertEquals(0666, d.get("fileMode").asInt());
            assertEquals(0, d.get("uid").asInt());
            assertEquals(0, d.get("gid").asInt());
        }
        assertEquals(List.of("/dev/null 1:3", "/dev/zero 1:5", "/dev/full 1:7", "/dev/random 1:8", "/dev/urandom 1:9", "/dev/tty 5:0"), nodes);
        var rules = new ArrayList<String>();
        for (JsonNode r : linux.get("resources").get("devices")) {
            rules.add((r.get("allow").asBoolean() ? "allow " : "deny ") + (r.has("type") ? r.get("type").asString() : "a") + " "
                    + (r.has("major") ? r.get("major").asInt() : "*") + ":" + (r.has("minor") ? r.get("minor").asInt() : "*")
                    + " " + r.get("access").asString());
        }
        assertEquals(List.of("deny a *:* rwm", "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm", "allow c 1:5 rwm",
                "allow c 1:7 rwm", "allow c 1:8 rwm", "allow c 1:9 rwm", "allow c 5:0 rwm", "allow c 5:2 rwm",
                "allow c 136:* rwm"), rules);
    }

    @Test
    void noPivotIsARuntimeFlag() {
        assertEquals(List.of("--no-pivot"), OciSpec.runtimeFlags(isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), true)));
        assertEquals(List.of(), OciSpec.runtimeFlags(isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), false)));
        assertFalse(OciSpec.json(input(temp, NOBODY, isolation(Mode.PRIVATE, Mode.PRIVATE, List.of(), true), "/x")).contains("pivot"));
    }

    // ---- sandbox paths ----

    @Test
    void hostPathPicksTheLongestMountTarget() {
        var mounts = List.of(new BindMount("/usr", "/usr", true), new BindMount("/opt/tools", "/usr/local", true),
                new BindMount("/srv/a", "/alloc", false));
        assertEquals(Path.of("/opt/tools/bin/x"), SandboxPaths.hostPath(temp, mounts, "/usr/local/bin/x"));
        assertEquals(Path.of("/usr/bin/env"), SandboxPaths.hostPath(temp, mounts, "/usr/bin/env"));
        assertEquals(Path.of("/srv/a"), SandboxPaths.hostPath(temp, mounts, "/alloc"));
        assertEquals(temp.resolve("usrx/y"), SandboxPaths.hostPath(temp, mounts, "/usrx/y"), "a target matches whole path elements only");
        assertEquals(temp.resolve("local/app"), SandboxPaths.hostPath(temp, mounts, "/local/app"));
        assertEquals(temp.resolve("etc/passwd"), SandboxPaths.hostPath(temp, mounts, "/local/../../etc/passwd"), "no escape with ..");
        assertEquals(temp, SandboxPaths.hostPath(temp, mounts, "/"));
        assertThrows(IllegalArgumentException.class, () -> SandboxPaths.hostPath(temp, mounts, "relative"));
    }

    @Test
    void lookupBinaryFollowsNomadsOrder() throws Exception {
        Files.createDirectories(temp.resolve("local"));
        var usr = Files.createDirectories(temp.resolve("host-usr/bin"));
        Files.createDirectories(temp.resolve("host-usr/local/bin"));
        var mounts = List.of(new BindMount(temp.resolve("host-usr").toString(), "/usr", true));
        Files.writeString(usr.resolve("tool"), "");
        Files.writeString(temp.resolve("local/app"), "");
        assertEquals("/usr/bin/tool", SandboxPaths.lookupBinary(temp, mounts, "tool"));
        assertEquals("/local/app", SandboxPaths.lookupBinary(temp, mounts, "app"));
        Files.writeString(temp.resolve("app"), "");
        assertEquals("/app", SandboxPaths.lookupBinary(temp, mounts, "app"), "the task dir root comes before local/");
        Files.writeString(temp.resolve("host-usr/local/bin/tool"), "");
        assertEquals("/usr/local/bin/tool", SandboxPaths.lookupBinary(temp, mounts, "tool"));
        assertEquals("/local/app", SandboxPaths.lookupBinary(temp, mounts, "local/app"), "a name with / is relative to the root");
        assertEquals("/usr/bin/tool", SandboxPaths.lookupBinary(temp, mounts, "/usr/bin/tool"));
        Files.createDirectories(temp.resolve("dir"));
        var e = assertThrows(IllegalArgumentException.class, () -> SandboxPaths.lookupBinary(temp, mounts, "dir"));
        assertEquals("executable \"dir\" not found in the sandbox; searched: /dir, /local/dir, /usr/local/bin/dir, /usr/bin/dir, /bin/dir", e.getMessage());
        var abs = assertThrows(IllegalArgumentException.class, () -> SandboxPaths.lookupBinary(temp, mounts, "/usr/bin/nope"));
        assertEquals("executable \"/usr/bin/nope\" not found in the sandbox; searched: /usr/bin/nope", abs.getMessage());
        assertEquals("/usr/bin/env", SandboxPaths.lookupBinary(temp, HOST_DIRS, "env"), "not on the host's PATH: inside the sandbox");
    }

    // ---- real runtimes ----

    static final String PROBE = "grep Cap /proc/self/status; echo pid=$$; echo uid=$(id -u); echo host=$(cat /proc/sys/kernel/hostname);"
            + " touch /usr/x 2>/dev/null || echo ro-ok; touch /tmp/rw && echo tmp-ok; echo done";

    @Test
    void crunRunsTheSpecAsNobodyWithTheDefaultCaps() throws Exception {
        assertSandbox(runForeground("crun", isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), NOBODY), true, NOBODY);
    }

    @Test
    void runcRunsTheSpecAsNobodyWithTheDefaultCaps() throws Exception {
        assertSandbox(runForeground("runc", isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), NOBODY), true, NOBODY);
    }

    @Test
    void crunWithHostPidModeAndNoPivot() throws Exception {
        assertSandbox(runForeground("crun", isolation(Mode.HOST, Mode.HOST, HOST_DIRS, true), NOBODY), false, NOBODY);
    }

    @Test
    void runcWithHostPidModeAndNoPivot() throws Exception {
        assertSandbox(runForeground("runc", isolation(Mode.HOST, Mode.HOST, HOST_DIRS, true), NOBODY), false, NOBODY);
    }

    @Test
    void crunRunsRootWithTheLegacySet() throws Exception {
        assertSandbox(runForeground("crun", isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), 0), true, 0);
    }

    @Test
    void runcRunsRootWithTheLegacySet() throws Exception {
        assertSandbox(runForeground("runc", isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), 0), true, 0);
    }

    @Test
    void crunDetachedPassesOutputThrough() throws Exception {
        assertSandbox(runDetached("crun"), true, NOBODY);
    }

    @Test
    void runcDetachedPassesOutputThrough() throws Exception {
        assertSandbox(runDetached("runc"), true, NOBODY);
    }

    static void assertSandbox(String out, boolean privatePid, int uid) {
        assertTrue(out.contains("done"), out);
        long caps = uid == 0 ? CapabilitySet.bitmask(CapabilitySet.LEGACY_SUPPORTED) & OciSpec.HOST_BOUNDING : NOMAD_DEFAULT_MASK;
        for (String set : List.of("CapEff", "CapPrm", "CapBnd", "CapInh", "CapAmb")) {
            var m = Pattern.compile(set + ":\\s+([0-9a-f]+)").matcher(out);
            assertTrue(m.find(), set + " missing in\n" + out);
            long expected = uid == 0 && (set.equals("CapInh") || set.equals("CapAmb")) ? 0 : caps;
            assertEquals(Long.toHexString(expected), Long.toHexString(Long.parseLong(m.group(1), 16)), set + " in\n" + out);
        }
        assertTrue(out.contains("uid=" + uid + "\n"), out);
        var pid = Pattern.compile("pid=(\\d+)").matcher(out);
        assertTrue(pid.find(), out);
        if (privatePid) assertEquals("1", pid.group(1), out);
        else assertNotEquals("1", pid.group(1), out);
        assertTrue(out.contains("host=web-1"), "own UTS namespace with the given hostname:\n" + out);
        assertTrue(out.contains("ro-ok"), "/usr must be read-only:\n" + out);
        assertTrue(out.contains("tmp-ok"), "the task dir's tmp/ is writable by the task:\n" + out);
    }

    /** A task dir the way the executor prepares it, and a bundle holding the generated spec. */
    record Bundle(String id, Path dir, Path state, Path rootfs) {}

    Bundle bundle(Isolation iso, int uid) throws Exception {
        String id = "drover-test-" + UUID.randomUUID().toString().substring(0, 8);
        var rootfs = Files.createDirectories(temp.resolve("task"));
        // The task dir is the sandbox's "/": the task user must be able to traverse it.
        Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.setPosixFilePermissions(Files.createDirectories(rootfs.resolve("tmp")), PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.createDirectories(rootfs.resolve("local"));
        var in = new OciSpec.Input(id, rootfs, List.of("/bin/sh", "-c", PROBE), Map.of("PATH", "/usr/bin:/bin"), "/",
                uid, uid, List.of(), iso, "/drover/" + id, "web-1");
        var dir = Files.createDirectories(temp.resolve("bundle"));
        Files.writeString(dir.resolve("config.json"), OciSpec.json(in));
        return new Bundle(id, dir, Files.createDirectories(temp.resolve("state")), rootfs);
    }

    String runForeground(String runtime, Isolation iso, int uid) throws Exception {
        String exe = requireRuntime(runtime);
        var b = bundle(iso, uid);
        var cmd = new ArrayList<>(List.of(exe, "--root", b.state().toString(), "run"));
        cmd.addAll(OciSpec.runtimeFlags(iso));
        cmd.addAll(List.of("--bundle", b.dir().toString(), b.id()));
        try {
            var p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
            var out = new String(p.getInputStream().readAllBytes());
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), runtime + " did not finish");
            checkPrerequisite(runtime, out);
            assertEquals(0, p.exitValue(), runtime + " run failed:\n" + out);
            return out;
        } finally {
            delete(exe, b);
        }
    }

    /** The lead's executor's invocation: run --detach with the task's stdio inherited. */
    String runDetached(String runtime) throws Exception {
        String exe = requireRuntime(runtime);
        var b = bundle(isolation(Mode.PRIVATE, Mode.PRIVATE, HOST_DIRS, false), NOBODY);
        var output = temp.resolve("task.out");
        var pidFile = temp.resolve("task.pid");
        // The container's init is re-parented to us when the runtime exits; we reap it.
        Native.becomeChildSubreaper();
        try {
            var p = new ProcessBuilder(exe, "--root", b.state().toString(), "run", "--detach", "--bundle", b.dir().toString(),
                    "--pid-file", pidFile.toString(), b.id())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile()).redirectErrorStream(true).start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), runtime + " run --detach did not return");
            checkPrerequisite(runtime, Files.readString(output));
            assertEquals(0, p.exitValue(), runtime + " run --detach failed:\n" + Files.readString(output));
            int pid = Integer.parseInt(Files.readString(pidFile).trim());
            int status = -1;
            for (long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20); status == -1 && System.nanoTime() < deadline; ) {
                status = Native.reap(pid);
                if (status == -1) Thread.sleep(10);
            }
            assertNotEquals(-1, status, "task pid " + pid + " did not exit; output:\n" + Files.readString(output));
            assertEquals(0, status, "task exit status; output:\n" + Files.readString(output));
            return Files.readString(output);
        } finally {
            delete(exe, b);
        }
    }

    static String requireRuntime(String name) {
        assertTrue(Native.isRoot(), "prerequisite missing: running " + name + " needs root");
        var dirs = new ArrayList<String>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"));
        for (String dir : dirs) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, name))) return Path.of(dir, name).toString();
        }
        return fail("prerequisite missing: " + name + " not found on PATH or in /usr/sbin, /usr/bin: install it (apt-get install " + name + ")");
    }

    static void checkPrerequisite(String runtime, String out) {
        if (out.contains("cgroups in hybrid mode not supported")) {
            fail("prerequisite missing: " + runtime + " refuses this host's hybrid cgroup layout because a controller (hugetlb)"
                    + " sits in cgroup2. Fix: mkdir -p /sys/fs/cgroup/hugetlb && mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb\n" + out);
        }
    }

    static void delete(String exe, Bundle b) throws Exception {
        var p = new ProcessBuilder(exe, "--root", b.state().toString(), "delete", "-f", b.id()).redirectErrorStream(true).start();
        var out = new String(p.getInputStream().readAllBytes());
        p.waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(b.state().resolve(b.id())), "container state left after delete -f:\n" + out);
    }
}
