package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.JobAssertions.map;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Defaults, inheritance, value conversions and warnings of the HCL job decoder. */
class JobspecParserTest {

    private static final JobspecParser PARSER = new JobspecParser();

    private static ParsedJob parse(String src) {
        return PARSER.parse("job.hcl", src);
    }

    /** A job whose one task's body is {@code taskBody}. */
    private static Task task(String taskBody) {
        return parse("job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      driver = \"exec\"\n" + taskBody + "\n    }\n  }\n}\n")
                .job().groups().getFirst().tasks().getFirst();
    }

    @Test
    void aMinimalJobGetsNomadsDefaults() {
        Job job = parse("job \"min\" {\n group \"g\" {\n  task \"t\" {\n   driver = \"exec\"\n  }\n }\n}\n").job();
        var restart = new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), "fail");
        var task = new Task("t", "exec", "", Map.of(), Map.of(), Map.of(), new Resources(100, 300, 0), restart,
                Duration.ofSeconds(5), "", new Logs(10, 10, false), null, false, Duration.ZERO);
        JobAssertions.assertSameJob(new Job("min", "min", "service", "default", "global", List.of("dc1"), 50, Map.of(),
                List.of(new TaskGroup("g", 1, restart, null, Map.of(), List.of(task)))), job);
    }

    @ParameterizedTest
    @CsvSource({"service, 2, 30", "system, 2, 30", "batch, 3, 1440", "sysbatch, 3, 1440"})
    void restartDefaultsDependOnTheJobType(String type, int attempts, int intervalMinutes) {
        Job job = parse("job \"j\" {\n type = \"" + type + "\"\n group \"g\" {\n  task \"t\" {\n   driver = \"exec\"\n  }\n }\n}\n").job();
        var expected = new RestartPolicy(attempts, Duration.ofMinutes(intervalMinutes), Duration.ofSeconds(15), "fail");
        assertEquals(expected, job.groups().getFirst().restart());
        assertEquals(expected, job.groups().getFirst().tasks().getFirst().restart());
    }

    @Test
    void restartIsInheritedFieldByField() {
        Job job = parse("""
                job "j" {
                  type = "batch"
                  group "g" {
                    restart {
                      attempts = 5
                    }
                    task "inherits" {
                      driver = "exec"
                    }
                    task "overrides" {
                      driver = "exec"
                      restart {
                        delay = "1m"
                        mode  = "delay"
                      }
                    }
                  }
                  group "plain" {
                    task "only-task-level" {
                      driver = "exec"
                      restart { interval = "1h" }
                    }
                  }
                }
                """).job();
        TaskGroup g = job.groups().getFirst();
        var groupPolicy = new RestartPolicy(5, Duration.ofHours(24), Duration.ofSeconds(15), "fail");
        assertEquals(groupPolicy, g.restart(), "the group overrides the batch defaults' attempts only");
        assertEquals(groupPolicy, g.tasks().get(0).restart());
        assertEquals(new RestartPolicy(5, Duration.ofHours(24), Duration.ofMinutes(1), "delay"), g.tasks().get(1).restart());
        assertEquals(new RestartPolicy(3, Duration.ofHours(1), Duration.ofSeconds(15), "fail"),
                job.groups().get(1).tasks().getFirst().restart());
    }

    @Test
    void jobNameDefaultsToTheIdAndCanBeSet() {
        assertEquals("web", parse("job \"web\" {\n group \"g\" {\n  task \"t\" { driver = \"x\" }\n }\n}").job().name());
        assertEquals("Web Site", parse("job \"web\" {\n name = \"Web Site\"\n group \"g\" {\n  task \"t\" { driver = \"x\" }\n }\n}")
                .job().name());
    }

    @Test
    void metaAndEnvInBothFormsWithScalarsTurnedIntoStrings() {
        Task t = task("""
                env {
                  Z_FIRST = "z"
                  PORT    = 8080
                  RATIO   = 0.5
                  DEBUG   = false
                  SKIPPED = null
                }
                meta = { "dotted.key" = "v", n = 1 }
                """);
        assertEquals(List.of("Z_FIRST", "PORT", "RATIO", "DEBUG"), new ArrayList<>(t.env().keySet()), "file order");
        assertEquals(Map.of("Z_FIRST", "z", "PORT", "8080", "RATIO", "0.5", "DEBUG", "false"), t.env());
        assertEquals(Map.of("dotted.key", "v", "n", "1"), t.meta());
        assertEquals(Map.of("A", "1"), task("env = { A = 1 }").env());
    }

    @Test
    void templateSequencesStayAsWritten() {
        Task t = task("""
                config {
                  args = ["${NOMAD_TASK_DIR}/x", "${node.unique.id}", "$${escaped}", "%{ if true }x%{ endif }"]
                }
                env { HOME_DIR = "${NOMAD_ALLOC_DIR}/home" }
                """);
        assertEquals(List.of("${NOMAD_TASK_DIR}/x", "${node.unique.id}", "${escaped}", "%{ if true }x%{ endif }"),
                t.config().get("args"));
        assertEquals("${NOMAD_ALLOC_DIR}/home", t.env().get("HOME_DIR"));
    }

    @Test
    void configBlocksBecomeListsOfMapsAndNullsAreDropped() {
        Task t = task("""
                config {
                  image = "busybox"
                  unset = null
                  nested = { keep = 1, drop = null }
                  mount {
                    type = "bind"
                  }
                  mount {
                    type = "tmpfs"
                  }
                  device "/dev/fuse" {
                    permissions = "rw"
                  }
                }
                """);
        assertEquals(map("image", "busybox", "nested", map("keep", 1L),
                "mount", List.of(map("type", "bind"), map("type", "tmpfs")),
                "device", List.of(map("label", "/dev/fuse", "permissions", "rw"))), t.config());
    }

    @Test
    void valuesConvertLikeHcl() {
        // cty converts numeric strings to numbers and numbers/bools to strings; Nomad accepts these.
        Job job = parse("job \"j\" {\n priority = \"70\"\n group \"g\" {\n  count = \"3\"\n  task \"t\" {\n   driver = \"exec\"\n"
                + "   user = 1000\n   leader = \"true\"\n   resources { cpu = 2e3 }\n  }\n }\n}\n").job();
        assertEquals(70, job.priority());
        assertEquals(3, job.groups().getFirst().count());
        Task t = job.groups().getFirst().tasks().getFirst();
        assertEquals("1000", t.user());
        assertEquals(true, t.leader());
        assertEquals(2000, t.resources().cpu());
    }

    @Test
    void nullMeansUnset() {
        Job job = parse("job \"j\" {\n region = null\n group \"g\" {\n  count = null\n  task \"t\" { driver = \"x\" }\n }\n}").job();
        assertEquals("global", job.region());
        assertEquals(1, job.groups().getFirst().count());
    }

    @Test
    void durationsUseGoSyntax() {
        assertEquals(Duration.ofMillis(250), task("kill_timeout = \"250ms\"").killTimeout());
        assertEquals(Duration.ofHours(2), task("kill_timeout = \"2h\"").killTimeout());
        assertEquals(Duration.ofSeconds(90), task("kill_timeout = \"1m30s\"").killTimeout());
        assertEquals(Duration.ZERO, task("shutdown_delay = \"0\"").shutdownDelay());
    }

    @Test
    void lifecycleSidecarDefaultsToFalse() {
        assertEquals(new dev.drover.agent.job.Lifecycle("poststart", false), task("lifecycle { hook = \"poststart\" }").lifecycle());
        assertNull(task("").lifecycle());
    }

    @Test
    void memoryMaxAndLogsPartiallySet() {
        Task t = task("resources {\n memory_max = 600\n}\nlogs {\n disabled = true\n}");
        assertEquals(new Resources(100, 300, 600), t.resources());
        assertEquals(new Logs(10, 10, true), t.logs());
    }

    @Test
    void portsKeepTheirSettings() {
        Job job = parse("""
                job "j" {
                  group "g" {
                    network {
                      port "a" { static = 80 }
                      port "b" {
                        to           = 8080
                        host_network = "private"
                      }
                    }
                    task "t" { driver = "x" }
                  }
                }
                """).job();
        var ports = job.groups().getFirst().network().ports();
        assertEquals(new dev.drover.agent.job.Port("a", 80, 0, "default"), ports.get(0));
        assertEquals(new dev.drover.agent.job.Port("b", 0, 8080, "private"), ports.get(1));
        assertEquals("host", job.groups().getFirst().network().mode());
    }

    @ParameterizedTest
    @ValueSource(strings = {"constraint", "affinity", "spread", "update", "periodic", "parameterized", "multiregion",
            "vault", "migrate", "reschedule", "consul", "ui"})
    void jobLevelNamesNomadKnowsAreWarnings(String name) {
        ParsedJob parsed = parse("job \"j\" {\n  " + name + " {}\n  group \"g\" {\n    task \"t\" { driver = \"x\" }\n  }\n}\n");
        assertEquals(List.of("job.hcl:2:3: \"" + name + "\" is not supported by Drover yet and is ignored"), parsed.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"all_at_once = true", "node_pool = \"gpu\""})
    void jobLevelAttributesNomadKnowsAreWarningsToo(String attribute) {
        ParsedJob parsed = parse("job \"j\" {\n  " + attribute + "\n  group \"g\" {\n    task \"t\" { driver = \"x\" }\n  }\n}\n");
        assertEquals(1, parsed.warnings().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"constraint {}", "affinity {}", "spread {}", "update {}", "ephemeral_disk {}", "service {}",
            "volume \"v\" {}", "scaling {}", "reschedule {}", "migrate {}", "consul {}", "max_client_disconnect = \"1h\"",
            "disconnect {}", "stop_after_client_disconnect = \"1m\"", "prevent_reschedule_on_lost = true",
            "shutdown_delay = \"5s\""})
    void groupLevelNamesNomadKnowsAreWarnings(String item) {
        ParsedJob parsed = parse("job \"j\" {\n  group \"g\" {\n    " + item + "\n    task \"t\" { driver = \"x\" }\n  }\n}\n");
        String name = item.split("[ =]")[0];
        assertEquals(List.of("job.hcl:3:5: \"" + name + "\" is not supported by Drover yet and is ignored"), parsed.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"constraint {}", "affinity {}", "service {}", "template {}", "artifact {}", "vault {}",
            "volume_mount {}", "dispatch_payload {}", "kind = \"connect-proxy:x\"", "csi_plugin {}", "scaling \"cpu\" {}",
            "identity {}", "consul {}", "action \"a\" {}", "schedule {}"})
    void taskLevelNamesNomadKnowsAreWarnings(String item) {
        ParsedJob parsed = parse("job \"j\" {\n  group \"g\" {\n    task \"t\" {\n      driver = \"x\"\n      " + item
                + "\n    }\n  }\n}\n");
        String name = item.split("[ =]")[0];
        assertEquals(List.of("job.hcl:5:7: \"" + name + "\" is not supported by Drover yet and is ignored"), parsed.warnings());
    }

    @ParameterizedTest
    @ValueSource(strings = {"disk = 100", "iops = 10", "network {}", "device \"gpu\" {}", "cores = 2"})
    void resourceLevelNamesNomadKnowsAreWarnings(String item) {
        assertEquals(1, parse("job \"j\" {\n group \"g\" {\n  task \"t\" {\n   driver = \"x\"\n   resources {\n    " + item
                + "\n   }\n  }\n }\n}\n").warnings().size());
    }

    @Test
    void variablesAndLocalsAreWarningsWhenUnused() {
        ParsedJob parsed = parse("""
                variable "dc" {
                  default = "dc1"
                }
                locals {
                  x = 1
                }
                job "j" {
                  group "g" {
                    task "t" { driver = "x" }
                  }
                }
                """);
        assertEquals(List.of(
                "job.hcl:1:1: \"variable\" blocks are ignored: HCL variables are not supported by Drover",
                "job.hcl:4:1: \"locals\" blocks are ignored: HCL variables are not supported by Drover"), parsed.warnings());
    }

    @Test
    void parsesFilesFromDisk(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("disk.hcl");
        Files.writeString(file, "job \"d\" {\n  group \"g\" {\n    task \"t\" { driver = \"x\" }\n  }\n  update {}\n}\n");
        ParsedJob parsed = PARSER.parse(file);
        assertEquals("d", parsed.job().id());
        assertEquals(List.of(file + ":5:3: \"update\" is not supported by Drover yet and is ignored"), parsed.warnings());
    }

    @Test
    void theResultIsImmutable() {
        Job job = parse("job \"j\" {\n group \"g\" {\n  task \"t\" {\n   driver = \"x\"\n   config { a = [1] }\n  }\n }\n}").job();
        assertThrows(UnsupportedOperationException.class, () -> job.groups().add(null));
        Task t = job.groups().getFirst().tasks().getFirst();
        assertThrows(UnsupportedOperationException.class, () -> t.config().put("b", 1L));
        @SuppressWarnings("unchecked")
        List<Object> list = (List<Object>) t.config().get("a");
        assertThrows(UnsupportedOperationException.class, () -> list.add(2L));
    }
}
