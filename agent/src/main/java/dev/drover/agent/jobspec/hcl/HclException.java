package dev.drover.agent.jobspec.hcl;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A file could not be parsed (or a value could not be converted). Carries every problem found,
 * sorted by position; the message is one {@code file:line:col: message} line per problem.
 */
public final class HclException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<Diagnostic> diagnostics;

    public HclException(List<Diagnostic> diagnostics) {
        super(diagnostics.stream().sorted().map(Diagnostic::toString).collect(Collectors.joining("\n")));
        if (diagnostics.isEmpty()) {
            throw new IllegalArgumentException("an HclException needs at least one diagnostic");
        }
        this.diagnostics = diagnostics.stream().sorted().toList();
    }

    public HclException(Pos pos, String message) {
        this(List.of(new Diagnostic(pos, message)));
    }

    /** The problems, sorted by position. */
    public List<Diagnostic> diagnostics() {
        return diagnostics;
    }
}
