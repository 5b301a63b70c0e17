package dev.drover.agent.job;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A job as Drover runs it: validated, with every default filled in (see {@link JobDefaults}).
 *
 * @param id the unique ID, from {@code job "<id>"}
 * @param name a display name; defaults to the ID
 * @param type service, batch, system or sysbatch
 */
public record Job(String id, String name, String type, String namespace, String region, List<String> datacenters,
                  int priority, Map<String, String> meta, List<TaskGroup> groups) {

    public static final List<String> TYPES = List.of("service", "batch", "system", "sysbatch");
    public static final int MIN_PRIORITY = 1;
    public static final int MAX_PRIORITY = 100;

    public Job {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(namespace, "namespace");
        Objects.requireNonNull(region, "region");
        datacenters = List.copyOf(datacenters);
        meta = Checks.orderedCopy(meta, "meta");
        groups = List.copyOf(groups);
        var checks = new Checks()
                .check(!id.isBlank(), "id", "job ID must not be blank")
                .check(id.isBlank() || id.chars().noneMatch(Character::isWhitespace), "id", "job ID " + Checks.quote(id) + " must not contain whitespace")
                // a name defaulted from a blank ID is the ID's problem, reported once
                .check(!name.isBlank() || name.equals(id), "name", "job name must not be blank")
                .check(TYPES.contains(type), "type", "type must be one of service, batch, system, sysbatch, got "
                        + Checks.quote(type))
                .check(!namespace.isBlank(), "namespace", "namespace must not be blank")
                .check(!region.isBlank(), "region", "region must not be blank")
                .check(!datacenters.isEmpty(), "datacenters", "datacenters must not be empty")
                .check(priority >= MIN_PRIORITY && priority <= MAX_PRIORITY, "priority",
                        "priority must be between " + MIN_PRIORITY + " and " + MAX_PRIORITY + ", got " + priority)
                .check(!groups.isEmpty(), "groups", "job " + Checks.quote(id) + " has no groups")
                .unique(groups, TaskGroup::name, "groups", group -> "duplicate group " + Checks.quote(group));
        for (int i = 0; i < datacenters.size(); i++) {
            checks.check(!datacenters.get(i).isBlank(), "datacenters", i, "datacenter names must not be blank");
        }
        checks.throwIfAny();
    }

    /** Whether tasks run to completion (batch, sysbatch) rather than being kept running. */
    public boolean isBatch() {
        return type.equals("batch") || type.equals("sysbatch");
    }
}
