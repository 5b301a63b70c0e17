package dev.drover.agent.alloc;

import dev.drover.sdk.driver.AllocatedPort;
import dev.drover.sdk.driver.TaskIdentity;
import java.util.List;
import tools.jackson.databind.JsonNode;

/**
 * One instance of a task group placed on this node. {@code job} is the job as submitted (Nomad's
 * JSON form), so an alloc keeps running the version it was created for.
 *
 * @param desiredStatus "run" or "stop"
 * @param createTime    unix nanoseconds
 */
public record Allocation(String id, String namespace, String name, int index, String jobId, String taskGroup,
                         JsonNode job, String desiredStatus, List<AllocatedPort> ports, long createTime) {
    public static final String DESIRED_RUN = "run";
    public static final String DESIRED_STOP = "stop";

    public Allocation {
        ports = List.copyOf(ports);
    }

    public Allocation withDesiredStatus(String status) {
        return new Allocation(id, namespace, name, index, jobId, taskGroup, job, status, ports, createTime);
    }

    /** The identity of one of this allocation's tasks: the labels of its metrics. */
    public TaskIdentity identity(String task) {
        return new TaskIdentity(namespace, jobId, taskGroup, task, id, index);
    }

    public String shortId() {
        return id.substring(0, 8);
    }
}
