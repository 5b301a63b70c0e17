package dev.drover.dist;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** {@code bin/drover} as a user runs it: the CLI against an agent, and agents started in the background. */
final class BinDrover {
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final Path BIN = ROOT.resolve("bin/drover");

    record Result(int code, String out, String err) {}

    private BinDrover() {}

    /** Runs one CLI command to its end. */
    static Result drover(String addr, String... args) throws Exception {
        var cmd = new ArrayList<>(List.of(BIN.toString()));
        cmd.addAll(List.of(args));
        var pb = new ProcessBuilder(cmd).directory(ROOT.toFile());
        pb.environment().put("DROVER_ADDR", addr);
        var p = pb.start();
        var err = new java.util.concurrent.CompletableFuture<byte[]>();
        Thread.ofVirtual().start(() -> {
            try {
                err.complete(p.getErrorStream().readAllBytes());
            } catch (IOException e) {
                err.completeExceptionally(e);
            }
        });
        var out = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) fail("drover " + String.join(" ", args) + " did not finish");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err.get(), StandardCharsets.UTF_8));
    }

    static int freePort() throws IOException {
        try (var s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts {@code bin/drover agent ARGS} with its output appended to {@code log}; returns once its API is up. */
    static Process agent(Path log, String... args) throws Exception {
        long before = Files.exists(log) ? Files.size(log) : 0;
        var cmd = new ArrayList<>(List.of(BIN.toString(), "agent"));
        cmd.addAll(List.of(args));
        var agent = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.currentTimeMillis() + 60_000;
        while (!new String(Files.readAllBytes(log), StandardCharsets.UTF_8).substring((int) before).contains("Drover agent started")) {
            if (!agent.isAlive() || System.currentTimeMillis() > deadline) {
                agent.destroyForcibly();
                fail("agent did not start:\n" + Files.readString(log));
            }
            Thread.sleep(100);
        }
        return agent;
    }

    /** SIGTERM, then waits for the agent to exit. */
    static void stop(Process agent) throws InterruptedException {
        agent.destroy();
        if (!agent.waitFor(90, TimeUnit.SECONDS)) {
            agent.destroyForcibly();
            fail("agent did not exit on SIGTERM");
        }
    }
}
