package dev.drover.executor;

import dev.drover.sdk.driver.ExecStream;
import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.ExecResult;
import dev.drover.sdk.executor.Executor;
import dev.drover.sdk.executor.ExecutorProtocol;
import dev.drover.sdk.executor.ProcessState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The executor plugin's face: one RPC surface for both executors. A command that carries isolation
 * settings runs under the {@link IsolatedExecutor}, any other under the {@link UniversalExecutor}
 * (Nomad's toggle between the two); later calls go to whichever owns the session.
 */
public final class RoutingExecutor implements Executor {
    private final Cgroups cgroups;
    private final Executor universal;
    private final Executor isolated;
    private final Map<String, Executor> owners = new ConcurrentHashMap<>();

    public RoutingExecutor(Cgroups cgroups, Executor universal, Executor isolated) {
        this.cgroups = cgroups;
        this.universal = universal;
        this.isolated = isolated;
    }

    /** Both executors on the host's cgroups, sharing one spawner. */
    public static RoutingExecutor forHost() {
        var cgroups = Cgroups.detect();
        var spawner = Spawner.withTempDir();
        return new RoutingExecutor(cgroups, new UniversalExecutor(cgroups, spawner), new IsolatedExecutor(cgroups, spawner));
    }

    public Cgroups cgroups() {
        return cgroups;
    }

    /** No session at all, not even an exited task waiting for its destroy: what the idle exit asks. */
    public boolean supervisesNothing() {
        return owners.isEmpty();
    }

    private Executor choose(ExecCommand command) {
        return command.isolated() ? isolated : universal;
    }

    /** Unknown sessions go to the universal executor, which answers "no session" like any executor. */
    private Executor owner(String session) {
        return session == null ? universal : owners.getOrDefault(session, universal);
    }

    @Override
    public ProcessState launch(String session, ExecCommand command) {
        var executor = choose(command);
        var state = executor.launch(session, command);
        owners.put(session, executor);
        return state;
    }

    @Override
    public ProcessState adopt(String session, ExecCommand command, int pid, long startTicks) {
        var executor = choose(command);
        var state = executor.adopt(session, command, pid, startTicks);
        owners.put(session, executor);
        return state;
    }

    @Override
    public ProcessState await(String session) {
        return owner(session).await(session);
    }

    @Override
    public void signal(String session, String signal) {
        owner(session).signal(session, signal);
    }

    @Override
    public void shutdown(String session, String signal, long graceMillis) {
        owner(session).shutdown(session, signal, graceMillis);
    }

    @Override
    public void destroy(String session) {
        owner(session).destroy(session);
        owners.remove(session);
    }

    @Override
    public ResourceUsage stats(String session) {
        return owner(session).stats(session);
    }

    @Override
    public void updateResources(String session, Resources resources) {
        owner(session).updateResources(session, resources);
    }

    @Override
    public ExecResult exec(String session, long timeoutMillis, String cmd, List<String> args) {
        return owner(session).exec(session, timeoutMillis, cmd, args);
    }

    @Override
    public int execStreaming(String session, List<String> command, boolean tty, ExecStream stream) {
        return owner(session).execStreaming(session, command, tty, stream);
    }

    @Override
    public String version() {
        return ExecutorProtocol.VERSION;
    }
}
