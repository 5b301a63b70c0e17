package dev.drover.agent.jobspec;

import dev.drover.agent.job.Job;
import dev.drover.agent.jobspec.hcl.Diagnostic;
import dev.drover.agent.jobspec.hcl.HclBody;
import dev.drover.agent.jobspec.hcl.HclException;
import dev.drover.agent.jobspec.hcl.HclParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads Nomad job files (HCL2) into the {@link Job} model. See the package documentation for the
 * supported subset; what Nomad knows but Drover does not use yet is ignored with a warning, and
 * anything else is an error.
 */
public final class JobspecParser {

    /** Stateless; one instance may be shared across threads. */
    public JobspecParser() {}

    /**
     * @param filename used in diagnostics, e.g. {@code web.hcl}
     * @throws JobspecException listing every syntax and validation error found
     */
    public ParsedJob parse(String filename, String source) {
        HclBody body;
        try {
            body = HclParser.parse(filename, source);
        } catch (HclException e) {
            throw new JobspecException(e.diagnostics().stream().map(Diagnostic::toString).toList());
        }
        var problems = new Problems();
        Job job = new HclJobDecoder(problems).file(body, filename);
        List<String> errors = problems.errors();
        if (!errors.isEmpty() || job == null) {
            throw new JobspecException(errors);
        }
        return new ParsedJob(job, problems.warnings());
    }

    /** Reads a UTF-8 job file; diagnostics name it as given. */
    public ParsedJob parse(Path file) throws IOException {
        return parse(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
    }
}
