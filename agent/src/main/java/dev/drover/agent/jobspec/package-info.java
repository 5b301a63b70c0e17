/**
 * Nomad job specifications: {@link dev.drover.agent.jobspec.JobspecParser} reads HCL job files and
 * {@link dev.drover.agent.jobspec.JobJson} reads and writes Nomad's JSON job form; both produce the
 * {@link dev.drover.agent.job.Job} model with the same defaults ({@link
 * dev.drover.agent.job.JobDefaults}) and the same validation (the model records' constructors).
 *
 * <h2>Supported HCL subset</h2>
 * <pre>
 * job "&lt;id&gt;" {                      # exactly one per file
 *   name, type, region, namespace, datacenters, priority
 *   meta { k = "v" }                  # or meta = { k = "v" }
 *   group "&lt;name&gt;" {
 *     count
 *     restart { attempts interval delay mode }
 *     network { mode  port "&lt;label&gt;" { static to host_network } }
 *     meta { ... }
 *     task "&lt;name&gt;" {
 *       driver (required), user, kill_timeout, kill_signal, leader, shutdown_delay
 *       config { ... }                # free-form, kept as plain values (see Task#config)
 *       env { ... }  meta { ... }     # values: strings; numbers and bools become strings
 *       resources { cpu memory memory_max }
 *       restart { ... }               # overrides the group's, field by field
 *       logs { max_files max_file_size disabled }
 *       lifecycle { hook sidecar }
 *     }
 *   }
 * }
 * </pre>
 * Durations use Go's syntax ({@code "10s"}, {@code "1m30s"}, {@code "250ms"}). Strings are kept as
 * written, {@code ${...}} included, for the client to interpolate at run time. HCL variables,
 * locals and functions are not supported.
 *
 * <p>Names Nomad knows but Drover does not use yet (constraint, update, service, template,
 * artifact, ...; see {@code Schema}) produce a warning and are ignored. Anything else is an
 * error naming the position, the block and the allowed names. Errors are collected, not just the
 * first: {@link dev.drover.agent.jobspec.JobspecException#diagnostics()} lists them all as
 * {@code file:line:col: message}.
 */
package dev.drover.agent.jobspec;
