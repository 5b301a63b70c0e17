package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A job runs end to end: real agent, executor and logmon plugin processes, fifos and log files. */
class RawExecJobTest extends AgentTestBase {

    @Test
    void helloOutputAppearsInLogsWithStderrSeparate() throws Exception {
        var allocs = agent.run("""
                job "hello" {
                  type = "batch"
                  group "g" {
                    task "web" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo hello from drover; echo oops >&2"]
                      }
                    }
                  }
                }
                """);
        assertEquals(1, allocs.size());
        String alloc = allocs.getFirst();
        var state = agent.awaitState(alloc, "web", "dead");
        assertFalse(state.path("Failed").asBoolean(), state.toString());
        assertEquals("hello from drover\n", agent.logs(alloc, "web", "stdout", ""));
        assertEquals("oops\n", agent.logs(alloc, "web", "stderr", ""));
        var types = AgentFixture.eventTypes(state);
        assertEquals("Received", types.getFirst());
        assertTrue(types.containsAll(java.util.List.of("Task Setup", "Started", "Terminated")), types.toString());
        assertEquals("complete", agent.alloc(alloc).path("ClientStatus").asString());
        assertTrue(Files.exists(dir.resolve("alloc").resolve(alloc).resolve("alloc/logs/web.stdout.0")));
    }

    @Test
    void envVarsHaveHostPathsAndInterpolationWorks() throws Exception {
        String alloc = agent.run("""
                job "envjob" {
                  type = "batch"
                  meta { team = "infra" }
                  group "api" {
                    network {
                      port "http" {}
                    }
                    task "show" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "env; echo ARG=$1 $2 $3", "sh", "${NOMAD_TASK_NAME}", "${node.unique.name}", "${no.such.thing}"]
                      }
                      env {
                        GREETING = "hi-${NOMAD_JOB_NAME}"
                      }
                      resources {
                        cpu    = 250
                        memory = 64
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "show", "dead");
        String out = agent.logs(alloc, "show", "stdout", "");
        Map<String, String> env = new HashMap<>();
        Arrays.stream(out.split("\n")).filter(l -> l.contains("=")).forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
        Path allocDir = dir.resolve("alloc").resolve(alloc);
        assertEquals(allocDir.resolve("alloc").toString(), env.get("NOMAD_ALLOC_DIR"));
        assertEquals(allocDir.resolve("show/local").toString(), env.get("NOMAD_TASK_DIR"));
        assertEquals(allocDir.resolve("show/secrets").toString(), env.get("NOMAD_SECRETS_DIR"));
        assertEquals(alloc, env.get("NOMAD_ALLOC_ID"));
        assertEquals(alloc.substring(0, 8), env.get("NOMAD_SHORT_ALLOC_ID"));
        assertEquals("envjob.api[0]", env.get("NOMAD_ALLOC_NAME"));
        assertEquals("0", env.get("NOMAD_ALLOC_INDEX"));
        assertEquals("envjob", env.get("NOMAD_JOB_NAME"));
        assertEquals("api", env.get("NOMAD_GROUP_NAME"));
        assertEquals("show", env.get("NOMAD_TASK_NAME"));
        assertEquals("dc1", env.get("NOMAD_DC"));
        assertEquals("global", env.get("NOMAD_REGION"));
        assertEquals("250", env.get("NOMAD_CPU_LIMIT"));
        assertEquals("64", env.get("NOMAD_MEMORY_LIMIT"));
        assertEquals("infra", env.get("NOMAD_META_TEAM"));
        assertEquals("infra", env.get("NOMAD_META_team"));
        assertEquals("hi-envjob", env.get("GREETING"));
        assertEquals("127.0.0.1", env.get("NOMAD_IP_http"));
        int port = Integer.parseInt(env.get("NOMAD_PORT_http"));
        assertTrue(port >= 20000 && port <= 32000, "dynamic port in Nomad's range: " + port);
        assertEquals("127.0.0.1:" + port, env.get("NOMAD_ADDR_http"));
        assertTrue(env.containsKey("PATH"), "the agent's environment reaches raw_exec tasks");
        assertTrue(out.contains("ARG=show test-node ${no.such.thing}"), out);
    }

    @Test
    void rotationKeepsMaxFilesAndLosesNoRecentLine() throws Exception {
        // ~3.3 MB of numbered lines with 1 MB files, keeping 2.
        String alloc = agent.run("""
                job "chatty" {
                  type = "batch"
                  group "g" {
                    task "spam" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "seq -f 'line %08g padding-to-make-the-line-longer-xxxxxxxxxxxxxx' 1 50000"]
                      }
                      logs {
                        max_files     = 2
                        max_file_size = 1
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(alloc, "spam", "dead");
        Path logs = dir.resolve("alloc").resolve(alloc).resolve("alloc/logs");
        try (var files = Files.list(logs)) {
            var names = files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("spam.stdout.")).sorted().toList();
            assertEquals(2, names.size(), names.toString());
        }
        String tail = agent.logs(alloc, "spam", "stdout", "&origin=end&offset=200");
        assertTrue(tail.endsWith("line 00050000 padding-to-make-the-line-longer-xxxxxxxxxxxxxx\n"), tail);
        // No line is split between files: every kept file starts at a line start.
        try (var files = Files.list(logs)) {
            for (var f : files.filter(p -> p.getFileName().toString().startsWith("spam.stdout.")).toList()) {
                String content = Files.readString(f);
                assertTrue(content.startsWith("line "), f + " starts mid-line");
                assertTrue(content.endsWith("\n"), f + " ends mid-line");
                assertTrue(Files.size(f) <= 1 << 20, f + " is larger than max_file_size");
            }
        }
    }
}
