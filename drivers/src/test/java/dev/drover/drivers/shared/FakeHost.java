package dev.drover.drivers.shared;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

/** Builds fake /sys/fs/cgroup trees and fake runtime binaries (real shell scripts) in a temp dir. */
public final class FakeHost {
    private final Path root;
    public final Path cgroups;
    public final Path bin;

    public FakeHost(Path tmp) throws IOException {
        this.root = tmp;
        this.cgroups = Files.createDirectories(tmp.resolve("sys-fs-cgroup"));
        this.bin = Files.createDirectories(tmp.resolve("bin"));
    }

    /** cgroup v1 hierarchies (each with a tasks file) plus cgroup2 at unified/ with these controllers. */
    public FakeHost hybrid(String v2Controllers) throws IOException {
        v1("cpu", "memory", "pids", "systemd");
        Files.createDirectories(cgroups.resolve("unified"));
        Files.writeString(cgroups.resolve("unified/cgroup.controllers"), v2Controllers + "\n");
        return this;
    }

    public FakeHost v1(String... hierarchies) throws IOException {
        for (String h : hierarchies) {
            Files.createDirectories(cgroups.resolve(h));
            Files.writeString(cgroups.resolve(h).resolve("tasks"), "");
            Files.writeString(cgroups.resolve(h).resolve("cgroup.procs"), "");
        }
        return this;
    }

    public FakeHost v2(String controllers) throws IOException {
        Files.writeString(cgroups.resolve("cgroup.controllers"), controllers + "\n");
        return this;
    }

    /** An executable that prints {@code output} for any arguments and exits with {@code code}. */
    public Path program(String name, String output, int code) throws IOException {
        Path p = bin.resolve(name);
        Files.writeString(p, "#!/bin/sh\nprintf '%s\\n' '" + output.replace("'", "'\\''") + "'\nexit " + code + "\n");
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return p;
    }

    public FakeHost crun() throws IOException {
        program("crun", "crun version 1.8.1", 0);
        return this;
    }

    public FakeHost runc() throws IOException {
        program("runc", "runc version 1.1.5+ds1", 0);
        return this;
    }

    public OciRuntimeProbe.Host host() {
        return host(0);
    }

    public OciRuntimeProbe.Host host(int euid) {
        return new OciRuntimeProbe.Host(cgroups, List.of(bin), euid, CommandRunner.SYSTEM, Duration.ofSeconds(5));
    }

    public Path root() {
        return root;
    }
}
