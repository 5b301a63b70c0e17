package dev.drover.agent.jobspec.hcl;

import java.util.Objects;

/** One problem found in a source file; {@link #toString()} gives {@code file:line:col: message}. */
public record Diagnostic(Pos pos, String message) implements Comparable<Diagnostic> {

    public Diagnostic {
        Objects.requireNonNull(pos, "pos");
        Objects.requireNonNull(message, "message");
    }

    @Override
    public int compareTo(Diagnostic other) {
        return pos.compareTo(other.pos);
    }

    @Override
    public String toString() {
        return pos + ": " + message;
    }
}
