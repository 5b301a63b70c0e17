package dev.drover.executor;

import static org.junit.jupiter.api.Assertions.*;

import dev.drover.sdk.executor.ProcessState;
import dev.drover.sdk.proc.Reaper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** One executor serving many sessions at once. */
@Timeout(60)
class ConcurrencyTest {
    @TempDir Path temp;

    @Test
    void twentySessionsAtOnceAllFinishWithTheirOwnCodes() throws Exception {
        Reaper.startAsSubreaper();
        var executor = new UniversalExecutor();
        int n = 20;
        var fixtures = new ArrayList<TaskFixture>();
        for (int i = 0; i < n; i++) fixtures.add(new TaskFixture(temp));
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var results = new ArrayList<Future<ProcessState>>();
            for (int i = 0; i < n; i++) {
                int code = i;
                var fixture = fixtures.get(i);
                results.add(pool.submit((Callable<ProcessState>) () -> {
                    String id = "task-" + code;
                    executor.launch(id, fixture.sh("echo task " + code + "; sleep 0.2; exit " + code));
                    var state = executor.await(id);
                    executor.stats(id);
                    executor.destroy(id);
                    return state;
                }));
            }
            for (int i = 0; i < n; i++) {
                assertEquals(i, results.get(i).get().exitCode(), "task " + i);
                assertEquals("task " + i + "\n", fixtures.get(i).stdout.awaitEof(java.time.Duration.ofSeconds(10)));
            }
        }
        assertTrue(executor.sessions().isEmpty());
        executor.cgroups().v2().ifPresent(v2 -> fixtures.forEach(f ->
                assertFalse(Files.exists(v2.root().resolve(Cgroups.PARENT).resolve(f.cgroup)))));
    }
}
