package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocManager;
import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.alloc.GarbageCollector;
import dev.drover.sdk.DroverException;
import dev.drover.sdk.rpc.Wire;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Nomad's forced garbage collection: {@code /v1/client/gc} removes every terminal allocation,
 * {@code /v1/client/allocation/:id/gc} one (400 if it still runs). Nomad accepts any method here;
 * so do we. The answer lists what was removed: {@code {"Collected": ["<alloc id>", …]}}.
 */
public final class GcApi {
    private static final Duration SETTLE = Duration.ofSeconds(10);
    private final AllocManager allocs;
    private final GarbageCollector gc;

    private GcApi(AllocManager allocs, GarbageCollector gc) {
        this.allocs = allocs;
        this.gc = gc;
    }

    public static void register(Router router, AllocManager allocs, GarbageCollector gc) {
        var api = new GcApi(allocs, gc);
        for (String method : List.of("GET", "PUT", "POST")) {
            router.add(method, "/v1/client/gc", r -> {
                allocs.allocations().forEach(GcApi::settle);
                return collected(gc.collectAll());
            })
                    .add(method, "/v1/client/allocation/:id/gc", api::collectOne);
        }
    }

    private Object collectOne(ApiRequest r) {
        var runner = allocs.allocation(r.path("id"));
        settle(runner);
        if (!runner.terminal()) {
            throw DroverException.invalid("allocation " + runner.alloc().shortId() + " is " + runner.clientStatus()
                    + ", not terminal: stop it first (drover job stop " + runner.alloc().jobId() + ")");
        }
        return collected(gc.collect(runner) ? List.of(runner.alloc().id()) : List.of());
    }

    /**
     * An allocation reported complete or failed may still be releasing its tasks' plugins (they end
     * after the tasks): a forced collection waits a moment for that rather than skipping it.
     */
    private static void settle(AllocRunner runner) {
        String status = runner.clientStatus();
        if (runner.terminal() || status.equals(AllocRunner.RUNNING) || status.equals(AllocRunner.PENDING)) return;
        try {
            runner.allDone().get(SETTLE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // still not terminal: reported as such
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Object collected(List<String> ids) {
        var out = Wire.JSON.createObjectNode();
        var arr = out.putArray("Collected");
        ids.forEach(arr::add);
        return out;
    }
}
