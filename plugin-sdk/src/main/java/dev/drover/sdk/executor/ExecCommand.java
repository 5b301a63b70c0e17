package dev.drover.sdk.executor;

import dev.drover.sdk.driver.Resources;
import java.util.List;
import java.util.Map;

/**
 * What an executor runs. The env is final (the executor does no interpolation); stdout/stderr name
 * the fifos logmon reads ("" or /dev/null discards).
 *
 * @param taskDir host path of the task dir; the default working directory
 * @param workDir working directory, "" for the task dir
 * @param user    user to run as, "" for the executor's own user
 * @param cgroup  name of the task's own cgroup leaf (e.g. the task id), "" for none
 * @param isolation the sandbox for the isolated executor, null for the universal executor
 */
public record ExecCommand(String cmd, List<String> args, Map<String, String> env, String user,
                          String taskDir, String workDir, String stdoutPath, String stderrPath,
                          Resources resources, String cgroup, Isolation isolation) {
    public ExecCommand {
        if (cmd == null || cmd.isBlank()) throw new IllegalArgumentException("command is required");
        args = List.copyOf(args);
        env = Map.copyOf(env);
        user = user == null ? "" : user;
        workDir = workDir == null ? "" : workDir;
        stdoutPath = stdoutPath == null ? "" : stdoutPath;
        stderrPath = stderrPath == null ? "" : stderrPath;
        cgroup = cgroup == null ? "" : cgroup;
        if (taskDir == null || taskDir.isBlank()) throw new IllegalArgumentException("taskDir is required");
        if (resources == null) throw new IllegalArgumentException("resources are required");
    }

    /** The same command without a sandbox (the universal executor's view). */
    public ExecCommand(String cmd, List<String> args, Map<String, String> env, String user, String taskDir, String workDir,
                       String stdoutPath, String stderrPath, Resources resources, String cgroup) {
        this(cmd, args, env, user, taskDir, workDir, stdoutPath, stderrPath, resources, cgroup, null);
    }

    public boolean isolated() {
        return isolation != null;
    }
}
