package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.BlockReader.or;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.JobDefaults;
import dev.drover.agent.job.Network;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import dev.drover.agent.jobspec.BlockReader.Children;
import dev.drover.agent.jobspec.hcl.HclBlock;
import dev.drover.agent.jobspec.hcl.HclBody;
import dev.drover.agent.jobspec.hcl.Pos;
import java.util.List;
import java.util.Map;

/**
 * Decodes the outer levels of a job file: the file, the job, its groups and their networks.
 * Tasks are {@link HclTaskDecoder}'s. Every method returns null after reporting a problem, so
 * decoding goes on and the user sees all problems at once.
 */
final class HclJobDecoder {

    private final Problems problems;
    private final HclTaskDecoder tasks;

    HclJobDecoder(Problems problems) {
        this.problems = problems;
        this.tasks = new HclTaskDecoder(problems);
    }

    Job file(HclBody body, String filename) {
        Pos start = new Pos(filename, 1, 1);
        var file = new BlockReader(problems, "the file", start, body, Schema.FILE);
        List<HclBlock> jobs = file.blocks("job");
        if (jobs.isEmpty()) {
            if (body.blocks("job").isEmpty()) { // else the malformed job block was reported already
                problems.error(start, "no job found; a job file holds one job \"<id>\" { ... } block");
            }
            return null;
        }
        for (HclBlock extra : jobs.subList(1, jobs.size())) {
            problems.error(extra.pos(), "only one job per file is supported; the first is at " + jobs.getFirst().pos().lineCol());
        }
        return job(jobs.getFirst());
    }

    private Job job(HclBlock block) {
        String id = block.labels().getFirst();
        var r = BlockReader.of(problems, "job " + quote(id), block, Schema.JOB);
        String type = or(r.string("type"), JobDefaults.TYPE);
        String name = or(r.string("name"), id);
        String namespace = or(r.string("namespace"), JobDefaults.NAMESPACE);
        String region = or(r.string("region"), JobDefaults.REGION);
        List<String> datacenters = or(r.stringList("datacenters"), JobDefaults.DATACENTERS);
        int priority = or(r.integer("priority"), JobDefaults.PRIORITY);
        Map<String, String> meta = r.stringMap("meta");
        // An invalid type is reported by Job; meanwhile groups get the default type's restart policy.
        RestartPolicy restartBase = JobDefaults.restart(Job.TYPES.contains(type) ? type : JobDefaults.TYPE);
        Children<TaskGroup> groups = r.each("group", "groups", b -> group(b, restartBase));
        var dcs = new Children<>("datacenters", datacenters, r.elementPositions("datacenters"), true);
        return r.build(() -> new Job(id, name, type, namespace, region, datacenters, priority, meta, groups.values()),
                Map.of(), groups, dcs);
    }

    private TaskGroup group(HclBlock block, RestartPolicy restartBase) {
        String name = block.labels().getFirst();
        String where = "group " + quote(name);
        var r = BlockReader.of(problems, where, block, Schema.GROUP);
        int count = or(r.integer("count"), JobDefaults.COUNT);
        RestartPolicy restart = tasks.restart(r.block("restart"), where, restartBase);
        Network network = r.block("network") == null ? null : network(r.block("network"), where);
        Map<String, String> meta = r.stringMap("meta");
        Children<Task> groupTasks = r.each("task", "tasks", b -> tasks.task(b, restart));
        return r.build(() -> new TaskGroup(name, count, or(restart, restartBase), network, meta, groupTasks.values()),
                Map.of(), groupTasks);
    }

    private Network network(HclBlock block, String group) {
        var r = BlockReader.of(problems, "network block of " + group, block, Schema.NETWORK);
        String mode = or(r.string("mode"), JobDefaults.NETWORK_MODE);
        Children<Port> ports = r.each("port", "ports", this::port);
        return r.build(() -> new Network(mode, ports.values()), Map.of(), ports);
    }

    private Port port(HclBlock block) {
        String label = block.labels().getFirst();
        var r = BlockReader.of(problems, "port " + quote(label), block, Schema.PORT);
        int value = or(r.integer("static"), 0);
        int to = or(r.integer("to"), 0);
        String hostNetwork = or(r.string("host_network"), JobDefaults.HOST_NETWORK);
        return r.build(() -> new Port(label, value, to, hostNetwork), Map.of("value", "static"));
    }

    /** How messages name a labeled block: {@code task "web"}. */
    static String quote(String name) {
        return "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
