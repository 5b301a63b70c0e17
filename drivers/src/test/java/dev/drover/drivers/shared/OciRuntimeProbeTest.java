package dev.drover.drivers.shared;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.drivers.shared.OciRuntimeProbe.CgroupMode;
import dev.drover.drivers.shared.OciRuntimeProbe.Problem;
import dev.drover.drivers.shared.OciRuntimeProbe.Unusable;
import dev.drover.drivers.shared.OciRuntimeProbe.Usable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciRuntimeProbeTest {
    @TempDir
    Path tmp;

    @Test
    void hybridWithControllersInCgroup2MakesCrunUnusableAndPicksRunc() throws IOException {
        var fake = new FakeHost(tmp).hybrid("hugetlb").crun().runc();
        var result = assertInstanceOf(Usable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertEquals("runc", result.name());
        assertEquals("1.1.5+ds1", result.version());
        assertEquals(fake.bin.resolve("runc"), result.path());
        assertEquals(CgroupMode.V1_HYBRID, result.cgroups().mode());
        String note = result.healthDescription();
        assertTrue(note.startsWith("crun unusable: "), note);
        assertTrue(note.contains("hugetlb controller"), note);
        assertTrue(note.contains("cgroups in hybrid mode not supported"), note);
        assertTrue(note.contains("mkdir -p " + fake.cgroups.resolve("hugetlb") + " && mount -t cgroup -o hugetlb cgroup "
                + fake.cgroups.resolve("hugetlb")), note);
        assertTrue(note.endsWith("; using runc"), note);
    }

    @Test
    void hybridWithoutRuncIsUnusableWithTheFix() throws IOException {
        var fake = new FakeHost(tmp).hybrid("hugetlb rdma").crun();
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertEquals(Problem.NO_RUNTIME, result.problem());
        assertTrue(result.reason().contains("hugetlb, rdma controllers"), result.reason());
        assertTrue(result.reason().contains("-o rdma cgroup"), result.reason());
        assertTrue(result.reason().contains("runc fallback: runc unusable: not found in " + fake.bin), result.reason());
    }

    @Test
    void hybridWithEmptyCgroup2KeepsCrun() throws IOException {
        var fake = new FakeHost(tmp).hybrid("").crun().runc();
        var result = assertInstanceOf(Usable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertEquals("crun", result.name());
        assertEquals("1.8.1", result.version());
        assertEquals("Healthy", result.healthDescription());
        assertEquals("v1-hybrid", OciRuntimeProbe.attributes("exec", result).get("driver.exec.cgroup"));
    }

    @Test
    void pureV2UsesCrun() throws IOException {
        var fake = new FakeHost(tmp).v2("cpuset cpu io memory hugetlb pids").crun();
        var result = assertInstanceOf(Usable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertEquals("crun", result.name());
        assertEquals(CgroupMode.V2, result.cgroups().mode());
        assertEquals(List.of("cpuset", "cpu", "io", "memory", "hugetlb", "pids"), result.cgroups().v2Controllers());
        var attrs = OciRuntimeProbe.attributes("exec", result);
        assertEquals("crun", attrs.get("driver.exec.runtime"));
        assertEquals("1.8.1", attrs.get("driver.exec.runtime.version"));
        assertEquals("v2", attrs.get("driver.exec.cgroup"));
    }

    @Test
    void pureV1() throws IOException {
        var fake = new FakeHost(tmp).v1("memory", "cpu").runc();
        var result = assertInstanceOf(Usable.class, OciRuntimeProbe.probe(fake.host(), "runc"));
        assertEquals(CgroupMode.V1, result.cgroups().mode());
        assertEquals("runc", result.name());
    }

    @Test
    void noCgroupsAtAll() throws IOException {
        var fake = new FakeHost(tmp).crun().runc();
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertEquals(Problem.NO_CGROUPS, result.problem());
        assertEquals("no cgroup filesystem is mounted at " + fake.cgroups, result.reason());
        assertEquals("none", OciRuntimeProbe.attributes("exec", result).get("driver.exec.cgroup"));
    }

    @Test
    void noRuntimeInstalled() throws IOException {
        var fake = new FakeHost(tmp).v2("memory");
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(fake.host(), "crun"));
        assertTrue(result.reason().startsWith("crun unusable: not found in " + fake.bin + " (install it: apt-get install crun)"), result.reason());
    }

    @Test
    void notRootIsUnusableWhateverElseIsThere() throws IOException {
        var fake = new FakeHost(tmp).v2("memory").crun();
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(fake.host(1000), "crun"));
        assertEquals(Problem.NOT_ROOT, result.problem());
        assertTrue(result.reason().contains("must run as root") && result.reason().contains("uid 1000"), result.reason());
    }

    @Test
    void absolutePathIsUsedAsIsAndNamedByItsVersionOutput() throws IOException {
        var fake = new FakeHost(tmp).v2("memory");
        Path custom = fake.program("my-runtime", "runc version 1.2.0", 0);
        var result = assertInstanceOf(Usable.class, OciRuntimeProbe.probe(fake.host(), custom.toString()));
        assertEquals(custom, result.path());
        assertEquals("runc", result.name());
        assertEquals("1.2.0", result.version());
    }

    @Test
    void brokenVersionOutputIsReported() throws IOException {
        var fake = new FakeHost(tmp).v2("memory");
        fake.program("runc", "runc: error while loading shared libraries", 127);
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(fake.host(), "runc"));
        assertTrue(result.reason().contains("exited with 127"), result.reason());
        assertTrue(result.reason().contains("error while loading shared libraries"), result.reason());
    }

    @Test
    void aHangingRuntimeTimesOut() throws IOException {
        var fake = new FakeHost(tmp).v2("memory");
        Path hang = fake.bin.resolve("runc");
        Files.writeString(hang, "#!/bin/sh\nexec sleep 30\n");
        hang.toFile().setExecutable(true);
        var host = new OciRuntimeProbe.Host(fake.cgroups, List.of(fake.bin), 0, CommandRunner.SYSTEM, Duration.ofMillis(300));
        long start = System.nanoTime();
        var result = assertInstanceOf(Unusable.class, OciRuntimeProbe.probe(host, "runc"));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 10);
        assertTrue(result.reason().contains("did not finish within 300 ms"), result.reason());
    }

    /** This machine: whatever runtime is picked must be consistent with its cgroup layout. */
    @Test
    void realHost() {
        var result = OciRuntimeProbe.probe(OciRuntimeProbe.Host.system(), "crun");
        var usable = assertInstanceOf(Usable.class, result, () -> "expected crun or runc to be usable here: " + result);
        assertTrue(usable.version().matches("\\d+\\.\\d+.*"), usable.version());
        assertTrue(usable.path().isAbsolute());
        if (usable.name().equals("crun")) {
            assertTrue(usable.cgroups().mode() != CgroupMode.V1_HYBRID || usable.cgroups().v2Controllers().isEmpty(),
                    "crun chosen although cgroup2 holds " + usable.cgroups().v2Controllers());
        } else {
            assertTrue(usable.healthDescription().startsWith("crun unusable: "), usable.healthDescription());
        }
    }
}
