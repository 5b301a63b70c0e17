package dev.drover.agent.alloc;

import tools.jackson.databind.JsonNode;

/**
 * A submitted job as the agent keeps it: Nomad's JSON form plus bookkeeping.
 *
 * @param version    bumped on every change of the job's definition
 * @param submitTime unix nanoseconds of the last submission
 */
public record StoredJob(JsonNode job, long version, long submitTime, boolean stopped) {}
