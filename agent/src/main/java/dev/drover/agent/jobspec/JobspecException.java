package dev.drover.agent.jobspec;

import java.util.List;

/**
 * A job file or JSON job is invalid. {@link #diagnostics()} lists every problem found, each as
 * {@code file:line:col: message} (HCL) or {@code Job.TaskGroups[0].Count: message} (JSON);
 * {@link #getMessage()} joins them with newlines.
 */
public final class JobspecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient List<String> diagnostics;

    public JobspecException(List<String> diagnostics) {
        super(String.join("\n", diagnostics));
        if (diagnostics.isEmpty()) {
            throw new IllegalArgumentException("a JobspecException needs at least one diagnostic");
        }
        this.diagnostics = List.copyOf(diagnostics);
    }

    public List<String> diagnostics() {
        return diagnostics;
    }
}
