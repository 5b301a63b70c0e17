/**
 * The job model: immutable, validated records describing what Drover runs. Records check their
 * own invariants in their constructors and throw {@link dev.drover.agent.job.InvalidJobException}
 * naming the offending component, which decoders (see {@code dev.drover.agent.jobspec}) turn into
 * positioned messages. Defaults live in {@link dev.drover.agent.job.JobDefaults}.
 */
package dev.drover.agent.job;
