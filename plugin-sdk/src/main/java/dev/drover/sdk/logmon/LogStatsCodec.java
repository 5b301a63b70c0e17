package dev.drover.sdk.logmon;

import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Json;

/** The wire form of {@link LogStats}: {@code {"stdout": {bytesWritten, linesWritten, bytesDropped, linesDropped}, "stderr": …}}. */
final class LogStatsCodec {
    private LogStatsCodec() {}

    static final Codec<LogStats.Stream> STREAM = Codec.object(
            s -> Json.object("bytesWritten", s.bytesWritten(), "linesWritten", s.linesWritten(),
                    "bytesDropped", s.bytesDropped(), "linesDropped", s.linesDropped()),
            o -> new LogStats.Stream(o.longValue("bytesWritten"), o.longValue("linesWritten"),
                    o.longValue("bytesDropped"), o.longValue("linesDropped")));

    static final Codec<LogStats> STATS = Codec.object(
            s -> Json.object("stdout", STREAM.encode(s.stdout()), "stderr", STREAM.encode(s.stderr())),
            o -> new LogStats(o.object("stdout", STREAM), o.object("stderr", STREAM)));
}
