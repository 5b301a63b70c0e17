package dev.drover.agent.jobspec;

import dev.drover.agent.job.RestartPolicy;
import java.time.Duration;

/**
 * The restart settings one level of a job spells out; null = inherit. Groups apply theirs over
 * the job type's defaults, tasks over their group's, field by field (Nomad's rule).
 */
record RestartOverride(Integer attempts, Duration interval, Duration delay, String mode) {

    /** @throws dev.drover.agent.job.InvalidJobException if the merged policy is invalid */
    RestartPolicy applyTo(RestartPolicy base) {
        return new RestartPolicy(
                attempts != null ? attempts : base.attempts(),
                interval != null ? interval : base.interval(),
                delay != null ? delay : base.delay(),
                mode != null ? mode : base.mode());
    }
}
