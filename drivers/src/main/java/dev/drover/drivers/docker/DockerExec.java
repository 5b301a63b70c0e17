package dev.drover.drivers.docker;

import dev.drover.drivers.docker.api.DockerApi;
import dev.drover.drivers.docker.api.DockerApiException;
import dev.drover.drivers.docker.api.DockerHttp;
import dev.drover.drivers.docker.api.StdStream;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import tools.jackson.databind.JsonNode;

/**
 * Interactive exec in a docker task (Nomad's ExecTaskStreaming for docker), through the Engine API:
 * {@code POST /containers/{id}/exec}, {@code POST /exec/{id}/start} on a hijacked connection,
 * {@code POST /exec/{id}/resize} and {@code GET /exec/{id}/json} for the exit code.
 *
 * <p>The command gets the container's env (the task's, NOMAD_* included), working dir and user,
 * as the engine gives every exec; with a TTY the engine adds TERM=xterm unless the task sets it.
 *
 * <p>One session: the calling thread copies the output to the caller until the engine ends the
 * stream, then asks for the exit code (all output is delivered first); a virtual thread copies the
 * caller's input. Stdin close is a half-close of the connection without a TTY, so a {@code cat}
 * sees its end; with a TTY it is ^D, because the engine ends the whole stream when a TTY exec's
 * input ends. The engine never kills an exec whose client went away, so a caller that leaves gets
 * the command's processes killed here ({@link ContainerProcesses}).
 */
final class DockerExec {
    private static final Logger LOG = Logger.getLogger(DockerExec.class.getName());
    private static final byte EOT = 4; // ^D: end of input on a terminal in canonical mode

    private final DockerApi api;

    DockerExec(DockerApi api) {
        this.api = api;
    }

    /**
     * @throws DroverException INVALID_CONFIG when the container is not running or the command
     *         cannot be started (a missing executable is named, with the PATH searched)
     */
    int run(String taskId, String containerId, List<String> command, boolean tty, ExecStream stream) {
        String cmd = command.isEmpty() ? "" : command.getFirst();
        String what = "failed to exec \"" + cmd + "\" in task " + taskId;
        if (cmd.isBlank()) throw DroverException.invalid(what + ": a command is required");
        var spec = Wire.JSON.createObjectNode()
                .put("AttachStdin", true).put("AttachStdout", true).put("AttachStderr", true).put("Tty", tty);
        command.forEach(spec.putArray("Cmd")::add);
        String execId;
        DockerHttp.Response connection;
        try {
            execId = api.createExec(containerId, spec);
            connection = api.startExecAttached(execId, tty);
        } catch (DockerApiException e) {
            if (e.conflict()) throw DroverException.invalid(what + ": the task is not running (" + e.getMessage() + ")");
            if (e.notFound()) throw DroverException.invalid(what + ": the task's container is gone (" + e.getMessage() + ")");
            throw new DroverException(e.kind(), what + ": " + e.getMessage(), e.recoverable(), e);
        }
        return new Session(containerId, execId, connection, tty, stream, what).run();
    }

    /** One exec from the start to its exit code. */
    private final class Session {
        private final String containerId;
        private final String execId;
        private final DockerHttp.Response connection;
        private final boolean tty;
        private final ExecStream stream;
        private final String what;
        private final StartGate gate;
        private final AtomicBoolean done = new AtomicBoolean();
        private final Object writeLock = new Object();
        private boolean writable = true;

        Session(String containerId, String execId, DockerHttp.Response connection, boolean tty, ExecStream stream, String what) {
            this.containerId = containerId;
            this.execId = execId;
            this.connection = connection;
            this.tty = tty;
            this.stream = stream;
            this.what = what;
            this.gate = new StartGate(stream);
        }

        int run() {
            Thread.ofVirtual().name("docker-exec-in").start(this::copyInput);
            try {
                copyOutput();
                var failure = gate.finish(this::neverStarted);
                if (failure != null) throw DroverException.invalid(what + ": " + StartGate.explain(failure, () -> containerPath()));
                return exitCode();
            } catch (RuntimeException e) {
                abandon(); // the caller is gone (or the engine failed us): the command must not live on
                throw e;
            } finally {
                done.set(true);
                connection.close(); // first: it also ends a stdin write blocked on a full socket
                synchronized (writeLock) {
                    writable = false;
                }
            }
        }

        /** Engine to caller, until the engine ends the stream (the command ended, or the container). */
        private void copyOutput() {
            InputStream in = connection.body();
            try {
                if (tty) {
                    byte[] buf = new byte[16 * 1024];
                    for (int n; (n = in.read(buf)) > 0; ) gate.offer(StdStream.STDOUT, java.util.Arrays.copyOf(buf, n));
                } else {
                    var frames = new StdStream(in);
                    for (StdStream.Frame f; (f = frames.next()) != null; ) {
                        if (f.stream() != StdStream.STDIN) gate.offer(f.stream(), f.data());
                    }
                }
            } catch (IOException e) {
                if (!done.get()) LOG.fine("exec " + execId + " output ended: " + e);
            }
        }

        /** Caller to engine: stdin, stdin close and resizes, in the order sent. */
        private void copyInput() {
            try {
                if (tty) resize(new ExecStream.Resize(24, 80)); // until the caller says otherwise
                ExecStream.Input in;
                while ((in = stream.receive()) != null) {
                    switch (in) {
                        case ExecStream.Stdin s -> write(s.data());
                        case ExecStream.CloseStdin c -> {
                            if (tty) write(new byte[] {EOT});
                            else closeWrite();
                        }
                        case ExecStream.Resize r -> {
                            if (tty) resize(r);
                        }
                    }
                }
                if (!done.get()) abandon(); // the caller went away
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (!done.get()) abandon();
            } catch (RuntimeException e) {
                LOG.fine("exec " + execId + " input ended: " + e);
                if (!done.get()) abandon();
            }
        }

        private void write(byte[] data) {
            synchronized (writeLock) {
                if (!writable) return;
                try {
                    connection.write(data);
                } catch (IOException e) {
                    writable = false; // the command is gone; what it did not read is dropped
                }
            }
        }

        private void closeWrite() {
            synchronized (writeLock) {
                if (!writable) return;
                writable = false;
                try {
                    connection.closeWrite();
                } catch (IOException e) {
                    LOG.fine("exec " + execId + ": half-close failed: " + e);
                }
            }
        }

        /** Waits for the engine to have started the exec, so a resize right after start is not lost. */
        private void resize(ExecStream.Resize r) {
            if (done.get()) return;
            try {
                api.resizeExec(execId, r.height(), r.width());
            } catch (DroverException e) {
                LOG.fine("exec " + execId + ": resize to " + r.height() + "x" + r.width() + " failed: " + e.getMessage());
            }
        }

        /** After the stream: true when the engine reports that the command never ran. */
        private boolean neverStarted() {
            var info = api.inspectExec(execId);
            return !info.path("Running").asBoolean(false) && info.path("Pid").asInt(0) == 0;
        }

        /** The engine may record the exit a moment after the stream ends: ask until it has. */
        private int exitCode() {
            long pause = 1;
            while (true) {
                JsonNode info;
                try {
                    info = api.inspectExec(execId);
                } catch (DockerApiException e) {
                    if (e.notFound()) throw DroverException.invalid(what + ": the exit code is lost, the task's container was removed");
                    throw e;
                }
                var code = info.get("ExitCode");
                if (!info.path("Running").asBoolean(false) && code != null && !code.isNull()) return code.asInt();
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw DroverException.internal(what + ": interrupted waiting for the exit code", e);
                }
                pause = Math.min(pause * 2, 100);
            }
        }

        /** Kills the command and what it started; harmless when it has ended. */
        private void abandon() {
            try {
                var info = api.inspectExec(execId);
                int pid = info.path("Pid").asInt(0);
                if (info.path("Running").asBoolean(false) && pid > 0) ContainerProcesses.killExec(containerId, pid);
            } catch (DroverException e) {
                LOG.fine("exec " + execId + ": could not look for its processes: " + e.getMessage());
            }
        }

        private String containerPath() {
            try {
                for (var entry : api.inspectContainer(containerId).path("Config").path("Env")) {
                    String kv = entry.asString("");
                    if (kv.startsWith("PATH=")) return kv.substring("PATH=".length());
                }
            } catch (DroverException e) {
                LOG.fine("cannot read the PATH of container " + containerId + ": " + e.getMessage());
            }
            return null;
        }
    }
}
