package dev.drover.cli;

import java.io.PrintStream;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneId;
import java.util.function.Function;

/**
 * Everything a command touches outside its arguments, injectable so tests need no real
 * environment, clock or terminal.
 *
 * @param env          environment lookup (DROVER_ADDR)
 * @param clock        "now" for relative times ("12s ago") and wait deadlines
 * @param zone         zone for absolute times
 * @param pollInterval how often to re-query while waiting on allocations
 * @param waitTimeout  how long job run/stop wait before giving up
 */
record CliContext(PrintStream out, PrintStream err, Function<String, String> env, Clock clock, ZoneId zone,
                  Duration pollInterval, Duration waitTimeout) {

    static CliContext system(PrintStream out, PrintStream err) {
        return new CliContext(out, err, System::getenv, Clock.systemUTC(), ZoneId.systemDefault(),
                Duration.ofMillis(500), Duration.ofSeconds(60));
    }
}
