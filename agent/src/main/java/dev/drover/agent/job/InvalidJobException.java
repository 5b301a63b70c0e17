package dev.drover.agent.job;

import java.util.List;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * A job-model record was given invalid values. Each {@link Violation} names the record component
 * at fault, so a decoder can point at the attribute or JSON field the user wrote.
 */
public final class InvalidJobException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient List<Violation> violations;

    public InvalidJobException(List<Violation> violations) {
        super(violations.stream().map(Violation::message).collect(Collectors.joining("; ")));
        this.violations = List.copyOf(violations);
    }

    public List<Violation> violations() {
        return violations;
    }

    /**
     * One broken rule.
     *
     * @param field the record component, e.g. {@code "count"}; empty for rules spanning fields
     * @param index the element of a list component at fault (e.g. the duplicate task), or -1
     * @param message terse and user-facing, e.g. {@code count must not be negative, got -1}
     */
    public record Violation(String field, int index, String message) {
        public Violation {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(message, "message");
        }
    }
}
