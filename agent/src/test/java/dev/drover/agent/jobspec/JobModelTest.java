package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.JobAssertions.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.job.InvalidJobException;
import dev.drover.agent.job.InvalidJobException.Violation;
import dev.drover.agent.job.Job;
import dev.drover.agent.job.JobDefaults;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Network;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The job model's own rules, which HCL and JSON decoding share. */
class JobModelTest {

    private static final RestartPolicy RESTART = JobDefaults.restart("service");

    private static Task task(String name, Map<String, Object> config) {
        return new Task(name, "exec", "", config, Map.of(), Map.of(), JobDefaults.resources(), RESTART,
                JobDefaults.KILL_TIMEOUT, "", JobDefaults.logs(), null, false, Duration.ZERO);
    }

    private static Task leader(String name) {
        return new Task(name, "exec", "", Map.of(), Map.of(), Map.of(), JobDefaults.resources(), RESTART,
                JobDefaults.KILL_TIMEOUT, "", JobDefaults.logs(), null, true, Duration.ZERO);
    }

    private static List<Violation> violations(Runnable constructor) {
        return assertThrows(InvalidJobException.class, constructor::run).violations();
    }

    @Test
    void defaultsAreNomads() {
        assertEquals(new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), "fail"), JobDefaults.restart("service"));
        assertEquals(JobDefaults.restart("service"), JobDefaults.restart("system"));
        assertEquals(new RestartPolicy(3, Duration.ofHours(24), Duration.ofSeconds(15), "fail"), JobDefaults.restart("batch"));
        assertEquals(JobDefaults.restart("batch"), JobDefaults.restart("sysbatch"));
        assertEquals(new Resources(100, 300, 0), JobDefaults.resources());
        assertEquals(new Logs(10, 10, false), JobDefaults.logs());
    }

    @Test
    void everyBrokenRuleIsNamedWithItsComponent() {
        assertEquals(List.of(
                new Violation("type", -1, "type must be one of service, batch, system, sysbatch, got \"x\""),
                new Violation("namespace", -1, "namespace must not be blank"),
                new Violation("priority", -1, "priority must be between 1 and 100, got 0"),
                new Violation("groups", -1, "job \"j\" has no groups"),
                new Violation("datacenters", 1, "datacenter names must not be blank")),
                violations(() -> new Job("j", "j", "x", " ", "global", List.of("dc1", ""), 0, Map.of(), List.of())));
    }

    @Test
    void listViolationsPointAtTheElement() {
        var g = new TaskGroup("g", 1, RESTART, null, Map.of(), List.of(task("a", Map.of())));
        var h = new TaskGroup("h", 1, RESTART, null, Map.of(), List.of(task("a", Map.of())));
        assertEquals(List.of(new Violation("groups", 2, "duplicate group \"g\"")),
                violations(() -> new Job("j", "j", "service", "default", "global", List.of("dc1"), 50, Map.of(),
                        List.of(g, h, g))));
        assertEquals(List.of(new Violation("tasks", 2, "only one task in group \"g\" may be the leader")),
                violations(() -> new TaskGroup("g", 1, RESTART, null, Map.of(),
                        List.of(leader("a"), task("b", Map.of()), leader("c")))));
    }

    @Test
    void portDuplicatesAreIndexedInTheOrderGivenThenStaticPortsComeFirst() {
        assertEquals(List.of(new Violation("ports", 2, "duplicate port label \"a\"")),
                violations(() -> new Network("host", List.of(new Port("a", 0, 0, "default"), new Port("b", 80, 0, "default"),
                        new Port("a", 81, 0, "default")))));
        var network = new Network("host", List.of(new Port("d1", 0, 0, "default"), new Port("s1", 80, 0, "default"),
                new Port("d2", 0, 0, "default"), new Port("s2", 81, 0, "default")));
        assertEquals(List.of("s1", "s2", "d1", "d2"), network.ports().stream().map(Port::label).toList());
    }

    @Test
    void restartRules() {
        assertEquals(List.of(new Violation("", -1, "cannot restart 3 times within an interval of 30s with a delay of 15s")),
                violations(() -> new RestartPolicy(3, Duration.ofSeconds(30), Duration.ofSeconds(15), "fail")));
        assertEquals(List.of(new Violation("attempts", -1,
                        "mode \"delay\" with 0 attempts is ambiguous; use mode \"fail\" or set attempts")),
                violations(() -> new RestartPolicy(0, Duration.ofMinutes(1), Duration.ZERO, "delay")));
        assertEquals(List.of(new Violation("delay", -1, "delay must not be negative")),
                violations(() -> new RestartPolicy(1, Duration.ofMinutes(1), Duration.ofSeconds(-1), "fail")));
        new RestartPolicy(0, Duration.ofSeconds(5), Duration.ZERO, "fail"); // the smallest valid policy
    }

    @Test
    void otherRecordRules() {
        assertEquals(List.of("cpu", "memoryMB"), violations(() -> new Resources(0, 9, 0)).stream().map(Violation::field).toList());
        assertEquals(List.of("memoryMaxMB"), violations(() -> new Resources(1, 100, 99)).stream().map(Violation::field).toList());
        new Resources(1, 10, 10);
        assertEquals(List.of("maxFiles", "maxFileSizeMB"), violations(() -> new Logs(0, 0, false)).stream().map(Violation::field).toList());
        assertEquals(List.of("hook"), violations(() -> new Lifecycle("", true)).stream().map(Violation::field).toList());
        assertEquals(List.of("label", "value", "to", "hostNetwork"),
                violations(() -> new Port("", -1, 65536, " ")).stream().map(Violation::field).toList());
        new Port("_A1", 65535, -1, "default");
        assertEquals(List.of("name", "driver", "killTimeout", "shutdownDelay"), violations(() -> new Task("", "", "", Map.of(),
                Map.of(), Map.of(), JobDefaults.resources(), RESTART, Duration.ofSeconds(-1), "", JobDefaults.logs(), null,
                false, Duration.ofSeconds(-1))).stream().map(Violation::field).toList());
        assertEquals(List.of("mode"), violations(() -> new Network("cni/", List.of())).stream().map(Violation::field).toList());
        new Network("cni/flannel", List.of());
    }

    @Test
    void nullsAreProgrammingErrors() {
        assertThrows(NullPointerException.class, () -> new Port(null, 0, 0, "default"));
        assertThrows(NullPointerException.class, () -> new Job("j", "j", "service", "default", "global", List.of("dc1"), 50,
                null, List.of()));
        var withNull = new HashMap<String, String>();
        withNull.put("k", null);
        assertThrows(NullPointerException.class, () -> new TaskGroup("g", 1, RESTART, null, withNull, List.of()));
    }

    @Test
    void collectionsAreCopiedAndUnmodifiableAndKeepTheirOrder() {
        var env = new LinkedHashMap<String, String>();
        env.put("Z", "1");
        env.put("A", "2");
        var args = new ArrayList<Object>(List.of("x"));
        var config = new LinkedHashMap<String, Object>();
        config.put("args", args);
        Task t = new Task("t", "exec", "", config, env, Map.of(), JobDefaults.resources(), RESTART, JobDefaults.KILL_TIMEOUT,
                "", JobDefaults.logs(), null, false, Duration.ZERO);
        env.put("B", "3");
        args.add("y");
        config.put("later", 1L);
        assertEquals(List.of("Z", "A"), List.copyOf(t.env().keySet()));
        assertEquals(map("args", List.of("x")), t.config());
        assertThrows(UnsupportedOperationException.class, () -> t.env().put("C", "4"));
        assertThrows(UnsupportedOperationException.class, () -> ((List<?>) t.config().get("args")).clear());
    }

    @Test
    void configValuesAreNormalizedSoHclAndJsonAgree() {
        Task t = task("t", map("i", 1, "s", (short) 2, "f", 1.5f, "whole", 3.0, "big", BigInteger.TEN.pow(20),
                "nested", map("l", List.of(4, 5.5))));
        assertEquals(map("i", 1L, "s", 2L, "f", 1.5, "whole", 3L, "big", 1.0E20, "nested", map("l", List.of(4L, 5.5))),
                t.config());
        assertInstanceOf(Long.class, t.config().get("i"));
    }

    @Test
    void configRejectsWhatJsonCannotHold() {
        var withNull = new HashMap<String, Object>();
        withNull.put("x", null);
        assertEquals(List.of(new Violation("config", -1, "config.x must not be null")), violations(() -> task("t", withNull)));
        assertEquals("config.o has an unsupported value of type Object",
                violations(() -> task("t", map("o", new Object()))).getFirst().message());
        assertEquals("config numbers must be finite, got NaN",
                violations(() -> task("t", map("n", Double.NaN))).getFirst().message());
    }

    @Test
    void theMessageJoinsTheViolations() {
        var e = assertThrows(InvalidJobException.class, () -> new Logs(0, 0, false));
        assertEquals("max_files must be at least 1, got 0; max_file_size must be at least 1 MB, got 0", e.getMessage());
        assertTrue(e instanceof IllegalArgumentException, "callers may catch IllegalArgumentException");
    }

    @Test
    void oddNamesAreQuotedReadably() {
        assertEquals("task \"a\\\"b\" has no driver", violations(() -> new Task("a\"b", "", "", Map.of(), Map.of(), Map.of(),
                JobDefaults.resources(), RESTART, Duration.ZERO, "", JobDefaults.logs(), null, false, Duration.ZERO))
                .getFirst().message());
    }

    @Test
    void batchJobs() {
        var group = new TaskGroup("g", 1, RESTART, null, Map.of(), List.of(task("t", Map.of())));
        assertTrue(new Job("j", "j", "sysbatch", "default", "global", List.of("dc1"), 50, Map.of(), List.of(group)).isBatch());
        assertFalse(new Job("j", "j", "system", "default", "global", List.of("dc1"), 50, Map.of(), List.of(group)).isBatch());
    }
}
