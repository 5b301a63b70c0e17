package dev.drover.agent.jobspec;

import dev.drover.agent.jobspec.hcl.Diagnostic;
import dev.drover.agent.jobspec.hcl.Pos;
import java.util.ArrayList;
import java.util.List;

/** The errors and warnings found while decoding one HCL job file. */
final class Problems {

    private final List<Diagnostic> errors = new ArrayList<>();
    private final List<Diagnostic> warnings = new ArrayList<>();

    void error(Pos pos, String message) {
        errors.add(new Diagnostic(pos, message));
    }

    void warn(Pos pos, String message) {
        warnings.add(new Diagnostic(pos, message));
    }

    /** Decoders compare counts before and after a block to know whether it decoded cleanly. */
    int errorCount() {
        return errors.size();
    }

    List<String> errors() {
        return errors.stream().sorted().distinct().map(Diagnostic::toString).toList();
    }

    List<String> warnings() {
        return warnings.stream().sorted().distinct().map(Diagnostic::toString).toList();
    }
}
