package dev.drover.agent.api;

import dev.drover.agent.alloc.AllocRunner;
import dev.drover.agent.task.TaskEventRecord;
import dev.drover.agent.task.TaskStateView;
import dev.drover.sdk.driver.DriverNetwork;
import dev.drover.sdk.rpc.Wire;
import java.util.TreeMap;
import tools.jackson.databind.node.ObjectNode;

/** Renders allocations and task states in Nomad's API shape (PascalCase, unix-nanosecond times). */
public final class ApiJson {
    private ApiJson() {}

    public static ObjectNode allocStub(AllocRunner runner) {
        var a = runner.alloc();
        var node = Wire.JSON.createObjectNode()
                .put("ID", a.id())
                .put("Name", a.name())
                .put("Namespace", a.namespace())
                .put("JobID", a.jobId())
                .put("TaskGroup", a.taskGroup())
                .put("DesiredStatus", a.desiredStatus())
                .put("ClientStatus", runner.clientStatus())
                .put("CreateTime", a.createTime())
                .put("ModifyTime", modifyTime(runner));
        var states = node.putObject("TaskStates");
        runner.taskStates().forEach((name, s) -> states.set(name, taskState(s)));
        return node;
    }

    static ObjectNode alloc(AllocRunner runner) {
        var node = allocStub(runner);
        var a = runner.alloc();
        node.set("Job", a.job());
        var ports = node.putObject("AllocatedResources").putObject("Shared").putArray("Ports");
        for (var p : a.ports()) {
            ports.addObject().put("Label", p.label()).put("Value", p.value()).put("To", p.to()).put("HostIP", p.hostIp());
        }
        node.put("AllocDir", runner.dir().root().toString());
        return node;
    }

    private static long modifyTime(AllocRunner runner) {
        long latest = runner.alloc().createTime();
        for (var s : runner.taskStates().values()) {
            for (var e : s.events()) latest = Math.max(latest, e.time());
        }
        return latest;
    }

    static ObjectNode taskState(TaskStateView s) {
        var node = Wire.JSON.createObjectNode()
                .put("State", s.state())
                .put("Failed", s.failed())
                .put("Restarts", s.restarts())
                .put("LastRestart", s.lastRestart())
                .put("StartedAt", s.startedAt())
                .put("FinishedAt", s.finishedAt());
        var events = node.putArray("Events");
        for (var e : s.events()) events.add(event(e));
        if (s.network() != null) node.set("DriverNetwork", driverNetwork(s.network()));
        return node;
    }

    /** Nomad's DriverNetwork: the address the driver gave the task and its port label → task port map. */
    static ObjectNode driverNetwork(DriverNetwork n) {
        var node = Wire.JSON.createObjectNode()
                .put("IP", n.ip())
                .put("AutoAdvertise", n.autoAdvertise());
        var ports = node.putObject("PortMap");
        new TreeMap<>(n.portMap()).forEach(ports::put);
        return node;
    }

    public static ObjectNode event(TaskEventRecord e) {
        var node = Wire.JSON.createObjectNode()
                .put("Type", e.type())
                .put("Time", e.time())
                .put("Message", e.message())
                .put("DisplayMessage", e.displayMessage())
                .put("FailsTask", e.failsTask())
                .put("ExitCode", e.exitCode())
                .put("Signal", e.signal())
                .put("RestartReason", e.restartReason())
                .put("KillTimeout", e.killTimeoutNanos())
                .put("DriverMessage", e.driverMessage());
        var details = node.putObject("Details");
        e.details().forEach(details::put);
        return node;
    }
}
