package dev.drover.agent.metrics;

import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.TaskIdentity;
import dev.drover.sdk.logmon.LogStats;

/**
 * The latest resource usage of one running task, as the sampler last read it from its driver.
 *
 * @param memoryLimitBytes the task's memory limit from its resources (memory_max when set)
 * @param userPercent      user CPU since the previous sample, percent of one core (0 for the first)
 * @param systemPercent    system CPU likewise
 * @param timestamp        unix nanoseconds of the reading
 * @param logs             logmon's counters of the task's output; null when its logs are not collected
 */
public record TaskSample(TaskIdentity task, ResourceUsage usage, long memoryLimitBytes, double userPercent,
                         double systemPercent, long timestamp, LogStats logs) {}
