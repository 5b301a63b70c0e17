package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Isolation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Sandbox settings for tests, and the prerequisite check: a usable OCI runtime. Turns the usual
 * failure on this kind of host into a diagnosis instead of a runtime's one-line refusal.
 */
final class IsolatedFixture {
    private IsolatedFixture() {}

    /** Host directories a sandbox needs to run /bin/sh and coreutils, bound read-only. */
    static final List<Isolation.BindMount> HOST_DIRS = List.of("/bin", "/etc", "/lib", "/lib64", "/sbin", "/usr").stream()
            .filter(p -> Files.isDirectory(Path.of(p)))
            .map(p -> new Isolation.BindMount(p, p, true))
            .toList();

    static Isolation isolation(String runtime) {
        return new Isolation(runtime, HOST_DIRS, Isolation.Mode.PRIVATE, Isolation.Mode.PRIVATE,
                List.copyOf(CapabilitySet.NOMAD_DEFAULTS), false, 0);
    }

    static ExecCommand isolate(ExecCommand c, Isolation isolation) {
        return new ExecCommand(c.cmd(), c.args(), c.env(), c.user(), c.taskDir(), c.workDir(), c.stdoutPath(),
                c.stderrPath(), c.resources(), c.cgroup(), isolation);
    }

    /** Fails (never skips) with the fix when the runtime is missing or refuses to run here. */
    static void assertRuntimeUsable(String runtime) {
        try {
            OciRuntime.resolve(runtime);
        } catch (IllegalArgumentException e) {
            fail("prerequisite missing: " + e.getMessage() + " (scripts/test.sh installs it)");
        }
        if (runtime.equals("crun")) {
            Path controllers = Path.of("/sys/fs/cgroup/unified/cgroup.controllers");
            try {
                if (Files.exists(Path.of("/sys/fs/cgroup/memory")) && Files.exists(controllers)
                        && !Files.readString(controllers).isBlank()) {
                    fail("prerequisite missing: crun refuses to run on this hybrid cgroup host while cgroup2 holds the controllers \""
                            + Files.readString(controllers).trim() + "\"; mount them as v1, e.g. `mkdir -p /sys/fs/cgroup/hugetlb && "
                            + "mount -t cgroup -o hugetlb cgroup /sys/fs/cgroup/hugetlb` (scripts/test.sh does this)");
                }
            } catch (IOException e) {
                fail("cannot read " + controllers + ": " + e.getMessage());
            }
        }
    }
}
