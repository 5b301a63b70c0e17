package dev.drover.executor;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.nativ.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;

/**
 * Turns a command in a task's context into what to spawn, following Nomad's universal executor:
 * binary lookup, working directory and user switch. Failures are {@link IllegalArgumentException}s
 * whose message the caller prefixes with what failed.
 */
record TaskCommand(Path executable, List<String> argv, Path cwd) {
    private static final List<Path> SETPRIV = List.of(Path.of("/usr/bin/setpriv"), Path.of("/bin/setpriv"));

    static TaskCommand resolve(ExecCommand context, String bin, List<String> args) {
        Path taskDir = Path.of(context.taskDir());
        Path cwd = workDir(context, taskDir);
        Path binary = lookupBin(taskDir, bin, System.getenv().getOrDefault("PATH", ""));
        var argv = new ArrayList<String>();
        Path executable = binary;
        var setpriv = userSwitch(context.user());
        if (setpriv.isPresent()) {
            argv.addAll(setpriv.get());
            executable = Path.of(setpriv.get().getFirst());
        }
        // argv[0] is the resolved path, as Nomad sets it.
        argv.add(binary.toString());
        argv.addAll(args);
        return new TaskCommand(executable, argv, cwd);
    }

    static Path workDir(ExecCommand context, Path taskDir) {
        Path cwd = context.workDir().isEmpty() ? taskDir : taskDir.resolve(context.workDir());
        if (!Files.isDirectory(cwd)) throw new IllegalArgumentException("working directory " + cwd + " does not exist");
        return cwd;
    }

    /**
     * Nomad's order: {@code <taskDir>/local/<bin>}, {@code <taskDir>/<bin>}, the path as given when
     * absolute, then the host PATH. A binary found inside the task dir is made executable (artifacts
     * often arrive without the x bit), as Nomad does; host files are never touched.
     */
    static Path lookupBin(Path taskDir, String bin, String hostPath) {
        String relative = bin.replaceFirst("^/+", "");
        var searched = new ArrayList<String>();
        for (Path dir : List.of(taskDir.resolve("local"), taskDir)) {
            Path candidate = dir.resolve(relative);
            searched.add(dir.toString());
            if (Files.isRegularFile(candidate)) return makeExecutable(candidate);
        }
        if (bin.startsWith("/")) {
            searched.add(bin);
            if (Files.isRegularFile(Path.of(bin))) return Path.of(bin);
        } else if (!bin.contains("/")) {
            for (String dir : hostPath.split(":")) {
                if (dir.isEmpty()) continue;
                Path candidate = Path.of(dir, bin);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) return candidate;
            }
            searched.add("PATH=" + hostPath);
        }
        throw new IllegalArgumentException("executable \"" + bin + "\" not found in " + String.join(", ", searched));
    }

    private static Path makeExecutable(Path file) {
        try {
            var perms = Files.getPosixFilePermissions(file);
            var wanted = EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE,
                    PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_EXECUTE,
                    PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_EXECUTE);
            if (!perms.containsAll(wanted)) {
                perms.addAll(wanted);
                Files.setPosixFilePermissions(file, perms);
            }
        } catch (IOException | UnsupportedOperationException e) {
            // Spawning will report EACCES with a clear message if this mattered.
        }
        return file;
    }

    /**
     * The setpriv (util-linux) prefix that switches to {@code user}, or empty when no switch is
     * needed. setpriv sets uid, gid and supplementary groups, then execs in place: the pid stays.
     */
    static Optional<List<String>> userSwitch(String user) {
        if (user.isEmpty()) return Optional.empty();
        var pw = LibC.getpwnam(user)
                .orElseThrow(() -> new IllegalArgumentException("user \"" + user + "\" does not exist"));
        if (pw.uid() == LibC.geteuid()) return Optional.empty();
        if (!Native.isRoot()) {
            throw new IllegalArgumentException("running as user \"" + user + "\" requires the executor to run as root");
        }
        Path setpriv = SETPRIV.stream().filter(Files::isExecutable).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("running as user \"" + user
                        + "\" needs setpriv (util-linux), not found at " + SETPRIV));
        return Optional.of(List.of(setpriv.toString(), "--reuid=" + pw.uid(), "--regid=" + pw.gid(),
                "--init-groups", "--"));
    }
}
