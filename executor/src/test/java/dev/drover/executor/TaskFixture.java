package dev.drover.executor;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A task dir with local/, logmon-like fifo readers and a unique cgroup name. */
final class TaskFixture {
    static final Map<String, String> ENV = Map.of("PATH", "/usr/bin:/bin");
    static final Resources RESOURCES = new Resources(100, 64, 0);

    final Path taskDir;
    final FifoReader stdout;
    final FifoReader stderr;
    final String cgroup = "test-" + UUID.randomUUID().toString().substring(0, 8);

    TaskFixture(Path root) throws IOException {
        this.taskDir = Files.createDirectories(root.resolve("task-" + cgroup));
        Files.createDirectories(taskDir.resolve("local"));
        this.stdout = new FifoReader(taskDir.resolve("stdout.fifo"));
        this.stderr = new FifoReader(taskDir.resolve("stderr.fifo"));
    }

    ExecCommand command(String cmd, String... args) {
        return command(cmd, List.of(args), ENV, "", "", cgroup);
    }

    ExecCommand sh(String script) {
        return command("/bin/sh", "-c", script);
    }

    ExecCommand command(String cmd, List<String> args, Map<String, String> env, String user, String workDir, String cgroup) {
        return new ExecCommand(cmd, args, env, user, taskDir.toString(), workDir,
                stdout.path().toString(), stderr.path().toString(), RESOURCES, cgroup);
    }

    /** Writes an executable shell script. */
    Path script(Path path, String body) throws IOException {
        Files.createDirectories(path.getParent());
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        path.toFile().setExecutable(true, false);
        return path;
    }
}
