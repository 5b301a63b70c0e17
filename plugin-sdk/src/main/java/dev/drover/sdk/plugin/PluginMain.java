package dev.drover.sdk.plugin;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.Reaper;
import dev.drover.sdk.rpc.Empty;
import dev.drover.sdk.rpc.RpcServer;
import dev.drover.sdk.rpc.Wire;
import java.nio.file.Path;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;

/**
 * Entry point of every plugin process: {@code java -cp <agent classpath> dev.drover.sdk.plugin.PluginMain
 * <name> <socket>}. See {@code docs/plugins.md} for the start-up, handshake and shutdown rules.
 */
public final class PluginMain {
    public static final String VERSION = "0.1.0";

    private PluginMain() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: PluginMain <plugin name> <socket path>");
            System.exit(2);
        }
        String name = args[0];
        Path socket = Path.of(args[1]);
        // "executor,logmon" hosts several plugins in one process (the shared placement).
        var wanted = java.util.List.of(name.split(","));
        var factories = ServiceLoader.load(PluginFactory.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(f -> wanted.contains(f.name()))
                .toList();
        if (factories.size() != wanted.size()) {
            System.err.println("no plugin named \"" + name + "\" on the classpath; found: "
                    + factories.stream().map(PluginFactory::name).toList());
            System.exit(2);
        }
        // Our own session: a Ctrl-C or SIGTERM aimed at the agent's process group must not stop
        // the plugins, which are meant to outlive the agent.
        Native.setsid();
        Reaper.startAsSubreaper();

        var done = new CountDownLatch(1);
        var server = new RpcServer(socket);
        var idleChecks = new java.util.concurrent.CopyOnWriteArrayList<java.util.function.BooleanSupplier>();
        PluginHost host = new PluginHost() {
            @Override
            public void supervisesNothingWhen(java.util.function.BooleanSupplier idle) {
                idleChecks.add(idle);
            }

            @Override
            public Path stateDir() {
                return socket.getParent();
            }

            @Override
            public void exitSoon() {
                // Give the dispatcher a moment to write the answer to the call that asked us to go.
                Thread.ofVirtual().start(() -> {
                    try {
                        Thread.sleep(50);
                    } catch (InterruptedException ignored) {
                        // exiting anyway
                    }
                    done.countDown();
                });
            }
        };
        server.register(PluginProtocol.INFO, (session, request) ->
                new PluginProtocol.Info(name, Wire.PROTOCOL_VERSION, ProcessHandle.current().pid(), VERSION));
        server.register(PluginProtocol.SHUTDOWN, (session, request) -> {
            host.exitSoon();
            return Empty.INSTANCE;
        });
        for (var factory : factories) factory.register(server, host);
        server.start();
        if (idleChecks.size() == factories.size()) exitWhenIdle(server, idleChecks, done);
        exitWithCreator(done);

        System.out.println(PluginProtocol.HANDSHAKE_PREFIX + " " + Wire.PROTOCOL_VERSION + " " + name + " unix " + socket);
        System.out.flush();
        // The launcher stops reading stdout after the handshake; later output goes to the plugin log.
        System.out.close();
        System.setOut(System.err);

        done.await();
        server.close();
        System.exit(0);
    }

    /**
     * Set (to the agent's pid) only for a class data cache's training run: such a plugin serves no
     * task, so it ends when the agent that started it is gone, whatever it was asked to do meanwhile.
     */
    public static final String CREATOR_PROPERTY = "drover.plugin.creatorPid";

    private static void exitWithCreator(CountDownLatch done) {
        Long creatorPid = Long.getLong(CREATOR_PROPERTY);
        if (creatorPid == null) return;
        var creator = ProcessHandle.of(creatorPid);
        if (creator.isEmpty()) {
            done.countDown();
            return;
        }
        creator.get().onExit().thenRun(() -> {
            System.err.println("the agent that started this training run (pid " + creatorPid + ") is gone: exiting");
            done.countDown();
        });
    }

    /** Seconds a plugin that supervises nothing and has no client waits before it exits on its own. */
    static final String IDLE_EXIT_PROPERTY = "drover.plugin.idleExitSeconds";
    static final long DEFAULT_IDLE_EXIT_SECONDS = 60;

    private static void exitWhenIdle(RpcServer server, java.util.List<java.util.function.BooleanSupplier> checks, CountDownLatch done) {
        long limit = Long.getLong(IDLE_EXIT_PROPERTY, DEFAULT_IDLE_EXIT_SECONDS) * 1_000_000_000L;
        Thread.ofVirtual().name("idle-exit").start(() -> {
            long idleSince = System.nanoTime();
            while (true) {
                try {
                    Thread.sleep(Math.min(1_000, Math.max(50, limit / 4_000_000)));
                } catch (InterruptedException e) {
                    return;
                }
                boolean idle = server.connections() == 0 && checks.stream().allMatch(java.util.function.BooleanSupplier::getAsBoolean);
                if (!idle) {
                    idleSince = System.nanoTime();
                } else if (System.nanoTime() - idleSince >= limit) {
                    System.err.println("no client and nothing to supervise for " + limit / 1_000_000_000L + " s: exiting");
                    done.countDown();
                    return;
                }
            }
        });
    }
}
