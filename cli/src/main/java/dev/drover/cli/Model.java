package dev.drover.cli;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;

/**
 * Typed views of the agent's JSON (Nomad's PascalCase API). Reading is lenient: a missing field
 * reads as ""/0/false so an older or newer agent still renders.
 */
final class Model {
    private Model() {}

    static String str(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isValueNode() && !v.isNull() ? v.asString("") : "";
    }

    static long num(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isNumber() || v.isString() ? v.asLong(0) : 0;
    }

    static boolean bool(JsonNode n, String field) {
        return n.path(field).asBoolean(false);
    }

    /**
     * A timestamp as unix nanoseconds, 0 for "never". Drover sends nanos; Nomad's own API sends
     * RFC 3339 strings for some task-state times, so accept both.
     */
    static long nanos(JsonNode n, String field) {
        JsonNode v = n.path(field);
        if (v.isNumber()) {
            return Math.max(0, v.asLong(0));
        }
        if (v.isString() && !v.asString("").isEmpty()) {
            try {
                Instant t = Instant.parse(v.asString(""));
                return t.getEpochSecond() <= 0 ? 0 : t.getEpochSecond() * 1_000_000_000L + t.getNano();
            } catch (DateTimeParseException | ArithmeticException e) {
                return 0;
            }
        }
        return 0;
    }

    /** A row of {@code GET /v1/jobs}. */
    record JobStub(String id, String name, String type, long priority, String status, boolean stop,
                   long submitTime) {
        static JobStub from(JsonNode n) {
            return new JobStub(str(n, "ID"), str(n, "Name"), str(n, "Type"), num(n, "Priority"),
                    str(n, "Status"), bool(n, "Stop"), nanos(n, "SubmitTime"));
        }

        /** As Nomad: a job stopped by the user reads e.g. "dead (stopped)". */
        String displayStatus() {
            return stop ? status + " (stopped)" : status;
        }
    }

    record Port(String label, long value, long to, String hostIp) {
        static Port from(JsonNode n) {
            return new Port(str(n, "Label"), num(n, "Value"), num(n, "To"), str(n, "HostIP"));
        }
    }

    record TaskEvent(String type, long time, String displayMessage, Map<String, String> details,
                     boolean failsTask, long exitCode, long signal, String restartReason) {
        static TaskEvent from(JsonNode n) {
            Map<String, String> details = new LinkedHashMap<>();
            n.path("Details").forEachEntry((k, v) -> details.put(k, v.asString("")));
            return new TaskEvent(str(n, "Type"), nanos(n, "Time"), str(n, "DisplayMessage"), details,
                    bool(n, "FailsTask"), num(n, "ExitCode"), num(n, "Signal"), str(n, "RestartReason"));
        }

        /** DisplayMessage when the agent set one, else a fallback built like Nomad's. */
        String description() {
            if (!displayMessage.isEmpty()) {
                return displayMessage;
            }
            return switch (type) {
                case "Terminated" -> "Exit Code: " + exitCode + (signal != 0 ? ", Signal: " + signal : "");
                case "Restarting" -> restartReason;
                case "Driver Failure" -> details.getOrDefault("driver_error", "");
                default -> details.getOrDefault("message", details.getOrDefault("error", ""));
            };
        }
    }

    /** @param network what the driver reported from its latest start, null if nothing */
    record TaskState(String state, boolean failed, long restarts, long lastRestart, long startedAt,
                     long finishedAt, List<TaskEvent> events, DriverNetwork network) {
        static TaskState from(JsonNode n) {
            List<TaskEvent> events = new ArrayList<>();
            n.path("Events").forEach(e -> events.add(TaskEvent.from(e)));
            return new TaskState(str(n, "State"), bool(n, "Failed"), num(n, "Restarts"), nanos(n, "LastRestart"),
                    nanos(n, "StartedAt"), nanos(n, "FinishedAt"), List.copyOf(events), DriverNetwork.from(n.path("DriverNetwork")));
        }
    }

    /** A task's {@code DriverNetwork}: the address its driver gave it and port label → task port, sorted by label. */
    record DriverNetwork(String ip, Map<String, Long> portMap) {
        static DriverNetwork from(JsonNode n) {
            if (!n.isObject()) {
                return null;
            }
            Map<String, Long> ports = new TreeMap<>();
            n.path("PortMap").forEachEntry((k, v) -> ports.put(k, v.asLong(0)));
            return new DriverNetwork(str(n, "IP"), ports);
        }
    }

    /**
     * An allocation, full or stub.
     *
     * @param taskStates by task name, sorted (Nomad lists tasks alphabetically)
     * @param jobTasks   task names from the embedded Job, if the agent sent one (before any task
     *                   has a state, this is the only way to know them)
     */
    record Allocation(String id, String name, String namespace, String jobId, String taskGroup,
                      String desiredStatus, String clientStatus, long createTime, long modifyTime,
                      List<Port> ports, Map<String, TaskState> taskStates, List<String> jobTasks) {
        static Allocation from(JsonNode n) {
            List<Port> ports = new ArrayList<>();
            n.path("AllocatedResources").path("Shared").path("Ports").forEach(p -> ports.add(Port.from(p)));
            Map<String, TaskState> states = new TreeMap<>();
            n.path("TaskStates").forEachEntry((k, v) -> states.put(k, TaskState.from(v)));
            List<String> jobTasks = new ArrayList<>();
            String group = str(n, "TaskGroup");
            for (JsonNode tg : n.path("Job").path("TaskGroups")) {
                if (group.equals(str(tg, "Name"))) {
                    tg.path("Tasks").forEach(t -> jobTasks.add(str(t, "Name")));
                }
            }
            return new Allocation(str(n, "ID"), str(n, "Name"), str(n, "Namespace"), str(n, "JobID"), group,
                    str(n, "DesiredStatus"), str(n, "ClientStatus"), nanos(n, "CreateTime"),
                    nanos(n, "ModifyTime"), List.copyOf(ports), states, List.copyOf(jobTasks));
        }

        List<String> taskNames() {
            TreeSet<String> names = new TreeSet<>(taskStates.keySet());
            names.addAll(jobTasks);
            return List.copyOf(names);
        }

        /** Terminal on the client: nothing will run in it any more. */
        boolean terminal() {
            return switch (clientStatus) {
                case "complete", "failed", "lost" -> true;
                default -> false;
            };
        }
    }
}
