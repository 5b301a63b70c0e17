package dev.drover.executor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One OCI runtime binary (crun or runc — their command lines agree on everything used here) and
 * the state directory Drover keeps its containers in, apart from anything else on the host.
 *
 * @param name      "crun" or "runc" (the binary's file name)
 * @param binary    absolute path of the binary
 * @param stateRoot the runtime's {@code --root}
 */
record OciRuntime(String name, Path binary, Path stateRoot) {
    /** Where Drover's runtimes keep container state and bundles; /run is gone after a reboot, as are the containers. */
    static final Path RUN_DIR = Path.of("/run/drover");
    private static final List<String> SEARCH = List.of("/usr/bin", "/usr/local/bin", "/usr/sbin", "/bin", "/sbin");

    /**
     * @param runtime "crun", "runc" or an absolute path to one of them
     * @throws IllegalArgumentException naming what was searched when the binary is missing
     */
    static OciRuntime resolve(String runtime) {
        Path binary;
        if (runtime.startsWith("/")) {
            binary = Path.of(runtime);
            if (!Files.isExecutable(binary)) throw new IllegalArgumentException("OCI runtime " + runtime + " is not an executable file");
        } else {
            if (!runtime.equals("crun") && !runtime.equals("runc")) {
                throw new IllegalArgumentException("OCI runtime must be \"crun\", \"runc\" or an absolute path, got \"" + runtime + "\"");
            }
            binary = find(runtime).orElseThrow(() -> new IllegalArgumentException("OCI runtime \"" + runtime
                    + "\" not found in " + SEARCH + ": install it (apt-get install " + runtime + ")"));
        }
        String name = binary.getFileName().toString();
        return new OciRuntime(name, binary, RUN_DIR.resolve(name));
    }

    private static Optional<Path> find(String name) {
        return SEARCH.stream().map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
    }

    /** A container id from a session id: the runtimes accept letters, digits, '.', '_' and '-'. */
    static String containerId(String session) {
        var id = session.replaceAll("[^A-Za-z0-9_.-]", ".");
        return id.length() <= 200 ? id : id.substring(id.length() - 200);
    }

    /** Where a container's bundle (config.json) lives; never inside the task's own root. */
    Path bundle(String containerId) {
        return stateRoot.resolve("bundles").resolve(containerId);
    }

    private List<String> global(Path log) {
        var argv = new ArrayList<>(List.of(binary.toString(), "--root", stateRoot.toString()));
        if (log != null) argv.addAll(List.of("--log", log.toString()));
        return argv;
    }

    /**
     * Creates the container and exits, leaving its init blocked before the task's exec: the init is
     * re-parented to us (a child subreaper) before it can run — and exit — so its exit status is
     * surely ours. With {@code terminal: false} it inherits the runtime's stdout and stderr: the
     * task's log fifos. ({@code run --detach} races: a task that exits at once may be reaped by
     * the runtime itself.)
     */
    List<String> create(String containerId, Path bundle, Path pidFile, Path log, boolean noPivot) {
        var argv = global(log);
        argv.addAll(List.of("create", "--bundle", bundle.toString(), "--pid-file", pidFile.toString()));
        if (noPivot) argv.add("--no-pivot");
        argv.add(containerId);
        return argv;
    }

    /** Lets a created container's init exec the task. */
    List<String> start(String containerId, Path log) {
        var argv = global(log);
        argv.addAll(List.of("start", containerId));
        return argv;
    }

    /**
     * Runs a command in the running container as the task's user, with its env, in {@code cwd}.
     * User and env are explicit: crun's exec does not take them from the container's config.
     */
    List<String> exec(String containerId, String cwd, int uid, int gid, java.util.Map<String, String> env, List<String> command) {
        var argv = global(null);
        argv.addAll(List.of("exec", "--cwd", cwd, "--user", uid + ":" + gid));
        new java.util.TreeMap<>(env).forEach((k, v) -> argv.addAll(List.of("--env", k + "=" + v)));
        argv.add(containerId);
        argv.addAll(command);
        return argv;
    }

    /**
     * {@link #exec} for an interactive command: with a console socket the runtime allocates a
     * terminal in the container and sends its master there ({@code --tty}); the command's host pid
     * goes to {@code pidFile}. Without {@code --detach} the runtime waits and exits with its code.
     *
     * @param subCgroup null, or a cgroup below the container's to run the command in (crun's {@code --cgroup})
     */
    List<String> execStreaming(String containerId, String cwd, int uid, int gid, java.util.Map<String, String> env,
                               List<String> command, Path consoleSocket, Path pidFile, String subCgroup) {
        var argv = exec(containerId, cwd, uid, gid, env, command);
        int at = argv.indexOf("exec") + 1;
        var options = new ArrayList<String>(List.of("--pid-file", pidFile.toString()));
        if (consoleSocket != null) options.addAll(List.of("--tty", "--console-socket", consoleSocket.toString()));
        if (subCgroup != null) options.add("--cgroup=" + subCgroup);
        argv.addAll(at, options);
        return argv;
    }

    List<String> delete(String containerId) {
        var argv = global(null);
        argv.addAll(List.of("delete", "--force", containerId));
        return argv;
    }

    /** The runtime's own error text from its log (JSON lines with a "msg" field, or plain text). */
    static String lastError(Path log) {
        try {
            var lines = Files.readAllLines(log);
            for (int i = lines.size() - 1; i >= 0; i--) {
                String line = lines.get(i).trim();
                if (line.isEmpty()) continue;
                var msg = java.util.regex.Pattern.compile("\"msg\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(line);
                return msg.find() ? msg.group(1).replace("\\\"", "\"") : line;
            }
        } catch (IOException e) {
            // no log: the caller says the runtime failed without one
        }
        return "";
    }
}
