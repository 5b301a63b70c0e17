package dev.drover.sdk.proc;

import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;

/** Linux (x86-64/arm64) signal names and numbers. Accepts "SIGTERM", "TERM" and "15". */
public final class Signals {
    private Signals() {}

    private static final Map<String, Integer> NUMBERS = Map.ofEntries(
            Map.entry("SIGHUP", 1), Map.entry("SIGINT", 2), Map.entry("SIGQUIT", 3), Map.entry("SIGILL", 4),
            Map.entry("SIGTRAP", 5), Map.entry("SIGABRT", 6), Map.entry("SIGBUS", 7), Map.entry("SIGFPE", 8),
            Map.entry("SIGKILL", 9), Map.entry("SIGUSR1", 10), Map.entry("SIGSEGV", 11), Map.entry("SIGUSR2", 12),
            Map.entry("SIGPIPE", 13), Map.entry("SIGALRM", 14), Map.entry("SIGTERM", 15), Map.entry("SIGSTKFLT", 16),
            Map.entry("SIGCHLD", 17), Map.entry("SIGCONT", 18), Map.entry("SIGSTOP", 19), Map.entry("SIGTSTP", 20),
            Map.entry("SIGTTIN", 21), Map.entry("SIGTTOU", 22), Map.entry("SIGURG", 23), Map.entry("SIGXCPU", 24),
            Map.entry("SIGXFSZ", 25), Map.entry("SIGVTALRM", 26), Map.entry("SIGPROF", 27), Map.entry("SIGWINCH", 28),
            Map.entry("SIGIO", 29), Map.entry("SIGPWR", 30), Map.entry("SIGSYS", 31));

    /** The signal number for a name, or empty when the name is not a signal. */
    public static OptionalInt number(String name) {
        if (name == null || name.isBlank()) return OptionalInt.empty();
        String n = name.trim().toUpperCase(Locale.ROOT);
        if (n.chars().allMatch(Character::isDigit)) {
            int v = Integer.parseInt(n);
            return v >= 1 && v <= 64 ? OptionalInt.of(v) : OptionalInt.empty();
        }
        Integer v = NUMBERS.get(n.startsWith("SIG") ? n : "SIG" + n);
        return v == null ? OptionalInt.empty() : OptionalInt.of(v);
    }

    /** Like {@link #number} but fails with a message that names the bad value. */
    public static int require(String name) {
        return number(name).orElseThrow(() ->
                new IllegalArgumentException("unknown signal \"" + name + "\"; use a name like SIGTERM or SIGHUP"));
    }

    public static String name(int number) {
        return NUMBERS.entrySet().stream().filter(e -> e.getValue() == number).map(Map.Entry::getKey)
                .findFirst().orElse("signal " + number);
    }
}
