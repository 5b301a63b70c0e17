package dev.drover.agent.api;

import dev.drover.agent.events.Event;
import dev.drover.agent.events.EventBroker;
import dev.drover.agent.events.EventFilter;
import dev.drover.sdk.rpc.Wire;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code GET /v1/event/stream}: newline-delimited JSON, one {@code {"Index":N,"Events":[…]}} line
 * per batch and {@code {}} as a heartbeat every 10s (Nomad's format). Query: {@code topic}
 * (repeatable, {@code Topic} or {@code Topic:Key}, topics Allocation and Task, "*" for all),
 * {@code job}, {@code namespace} ("*" for all; default "default"), {@code index} (stream the
 * buffered events after this index; 0, the default, replays the whole buffer).
 */
final class EventsApi {
    static final Duration HEARTBEAT = Duration.ofSeconds(10);
    private final EventBroker broker;

    EventsApi(EventBroker broker) {
        this.broker = broker;
    }

    void register(Router router) {
        router.add("GET", "/v1/event/stream", this::stream);
    }

    private Object stream(ApiRequest r) throws IOException, InterruptedException {
        EventFilter filter;
        try {
            filter = EventFilter.parse(r.queryAll("topic"), r.query("namespace", "default"), r.query("job", ""));
        } catch (IllegalArgumentException e) {
            throw ApiException.badRequest(e.getMessage());
        }
        long index = r.queryLong("index", 0);
        if (index < 0) throw ApiException.badRequest("index must not be negative, got " + index);
        long after = Math.max(0, index - 1); // Nomad streams from the given index on
        try (OutputStream out = r.stream("application/x-ndjson")) {
            out.flush(); // headers now: a quiet stream must still look open to the client
            while (true) {
                var batch = broker.read(after, filter, HEARTBEAT);
                if (batch.closed()) return Router.STREAMED;
                if (batch.missed()) {
                    write(out, Wire.JSON.createObjectNode().put("Error",
                            "subscription fell behind the event buffer; resubscribe with index=" + (batch.nextAfter() + 1)));
                    return Router.STREAMED;
                }
                after = batch.nextAfter();
                if (batch.events().isEmpty()) {
                    write(out, Wire.JSON.createObjectNode()); // heartbeat; also finds a client that left
                    continue;
                }
                var line = Wire.JSON.createObjectNode().put("Index", batch.events().getLast().index());
                var events = line.putArray("Events");
                batch.events().forEach(e -> events.add(json(e)));
                write(out, line);
            }
        }
    }

    private static void write(OutputStream out, ObjectNode line) throws IOException {
        out.write(Wire.JSON.writeValueAsBytes(line));
        out.write('\n');
        out.flush();
    }

    static ObjectNode json(Event e) {
        var node = Wire.JSON.createObjectNode().put("Topic", e.topic()).put("Type", e.type()).put("Key", e.key())
                .put("Namespace", e.namespace());
        var keys = node.putArray("FilterKeys");
        e.filterKeys().forEach(keys::add);
        node.put("Index", e.index());
        node.set("Payload", e.payload());
        return node;
    }
}
