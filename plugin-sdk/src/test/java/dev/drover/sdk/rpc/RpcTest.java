package dev.drover.sdk.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.DroverException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RpcTest {
    record Echo(String text, List<Integer> numbers) {}

    static final Codec<Integer> INT = new Codec<>() {
        @Override
        public Object encode(Integer value) {
            return value;
        }

        @Override
        public Integer decode(Object json) {
            return ((Number) json).intValue();
        }
    };
    static final Codec<Echo> ECHO_CODEC = Codec.object(e -> Json.object("text", e.text(), "numbers", e.numbers()),
            o -> new Echo(o.string("text"), o.list("numbers", INT)));
    static final RpcMethod<Echo, Echo> ECHO = RpcMethod.of("test.echo", ECHO_CODEC, ECHO_CODEC);
    static final RpcMethod<Empty, Empty> BLOCK = RpcMethod.of("test.block", Codec.EMPTY, Codec.EMPTY);
    static final RpcMethod<Empty, Empty> FAIL = RpcMethod.of("test.fail", Codec.EMPTY, Codec.EMPTY);

    @Test
    void roundTripsErrorsAndConcurrentCalls(@TempDir Path dir) throws Exception {
        var release = new CountDownLatch(1);
        try (var server = new RpcServer(dir.resolve("s.sock"))) {
            server.register(ECHO, (session, r) -> new Echo(session + ":" + r.text(), r.numbers()))
                    .register(BLOCK, (s, r) -> { release.await(); return Empty.INSTANCE; })
                    .register(FAIL, (s, r) -> { throw DroverException.notFound("no task " + s); });
            server.start();
            try (var client = RpcClient.connect(server.socket())) {
                assertEquals(new Echo("t1:hi", List.of(1, 2)), client.call(ECHO, "t1", new Echo("hi", List.of(1, 2))));
                var e = assertThrows(DroverException.class, () -> client.call(FAIL, "t9", Empty.INSTANCE));
                assertEquals(DroverException.Kind.NOT_FOUND, e.kind());
                assertEquals("no task t9", e.getMessage());

                // A blocked call must not hold up others on the same connection.
                try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
                    Future<Empty> blocked = pool.submit(() -> client.call(BLOCK, "", Empty.INSTANCE));
                    var calls = new ArrayList<Future<Echo>>();
                    for (int i = 0; i < 100; i++) {
                        int n = i;
                        calls.add(pool.submit(() -> client.call(ECHO, "s" + n, new Echo("x", List.of(n)))));
                    }
                    for (int i = 0; i < 100; i++) assertEquals(new Echo("s" + i + ":x", List.of(i)), calls.get(i).get());
                    assertTrue(!blocked.isDone());
                    release.countDown();
                    blocked.get();
                }
            }
        }
    }

    @Test
    void lostConnectionFailsPendingCallsAsUnavailable(@TempDir Path dir) throws Exception {
        var server = new RpcServer(dir.resolve("s.sock"));
        server.register(BLOCK, (s, r) -> { Thread.sleep(60_000); return Empty.INSTANCE; });
        server.start();
        var client = RpcClient.connect(server.socket());
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var pending = pool.submit(() -> client.call(BLOCK, "", Empty.INSTANCE));
            Thread.sleep(200);
            server.close(); // drops the connection as a dying plugin would
            var e = assertThrows(java.util.concurrent.ExecutionException.class, pending::get);
            assertTrue(e.getCause() instanceof DroverException de && de.kind() == DroverException.Kind.UNAVAILABLE, e.toString());
            var after = assertThrows(DroverException.class, () -> client.call(BLOCK, "", Empty.INSTANCE));
            assertEquals(DroverException.Kind.UNAVAILABLE, after.kind());
        }
    }
}
