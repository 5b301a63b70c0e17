package dev.drover.agent.jobspec;

import dev.drover.agent.job.Job;
import java.util.List;
import java.util.Objects;

/**
 * A decoded job plus the warnings about what was ignored, each {@code file:line:col: message},
 * e.g. {@code web.hcl:12:5: "template" is not supported by Drover yet and is ignored}.
 */
public record ParsedJob(Job job, List<String> warnings) {

    public ParsedJob {
        Objects.requireNonNull(job, "job");
        warnings = List.copyOf(warnings);
    }
}
