package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Bad input gets a 400 that says what and where; the agent keeps serving and keeps its state. */
class BadInputTest extends AgentTestBase {

    @Test
    void badJobspecsAreRefusedWithPositionsAndNothingIsLost() throws Exception {
        String good = agent.run("""
                job "keep" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sleep"
                        args    = ["60"]
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitState(good, "t", "running");

        var typo = agent.call("POST", "/v1/jobs/parse", """
                {"JobHCL": "job \\"x\\" {\\n  group \\"g\\" {\\n    task \\"t\\" {\\n      driver = \\"raw_exec\\"\\n      comand = \\"/bin/true\\"\\n    }\\n  }\\n}\\n", "Filename": "x.hcl"}
                """);
        assertEquals(400, typo.status());
        assertTrue(typo.body().startsWith("x.hcl:5:7: "), typo.body());
        assertTrue(typo.body().contains("comand") && typo.body().contains("allowed"), typo.body());

        var syntax = agent.call("POST", "/v1/jobs/parse", "{\"JobHCL\": \"job \\\"x\\\" {\\n  group \\\"g\\\" {\\n\", \"Filename\": \"y.hcl\"}");
        assertEquals(400, syntax.status());
        assertTrue(syntax.body().matches("(?s)y\\.hcl:\\d+:\\d+: .*"), syntax.body());

        assertEquals(400, agent.call("PUT", "/v1/jobs", "not json").status());
        var noJob = agent.call("PUT", "/v1/jobs", "{}");
        assertEquals(400, noJob.status());
        assertTrue(noJob.body().contains("Job"), noJob.body());
        var badType = agent.call("PUT", "/v1/jobs", "{\"Job\":{\"ID\":\"j\",\"TaskGroups\":[{\"Name\":\"g\",\"Count\":\"two\",\"Tasks\":[]}]}}");
        assertEquals(400, badType.status());
        assertTrue(badType.body().contains("Count"), badType.body());
        var badDriverConfig = agent.call("PUT", "/v1/jobs",
                "{\"Job\":{\"ID\":\"j\",\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"raw_exec\",\"Config\":{\"args\":[\"x\"]}}]}]}}");
        assertEquals(400, badDriverConfig.status());
        assertTrue(badDriverConfig.body().contains("config.command is required"), badDriverConfig.body());
        var unknownDriver = agent.call("PUT", "/v1/jobs",
                "{\"Job\":{\"ID\":\"j\",\"TaskGroups\":[{\"Name\":\"g\",\"Tasks\":[{\"Name\":\"t\",\"Driver\":\"lxc\",\"Config\":{}}]}]}}");
        assertEquals(400, unknownDriver.status());
        assertTrue(unknownDriver.body().contains("unknown driver \"lxc\""), unknownDriver.body());
        assertEquals(404, agent.call("GET", "/v1/allocation/nope", null).status());
        assertEquals(404, agent.call("GET", "/v1/no/such/path", null).status());
        var logsNoTask = agent.call("GET", "/v1/client/fs/logs/" + good + "?type=stdout", null);
        assertEquals(400, logsNoTask.status());
        var badOrigin = agent.call("GET", "/v1/client/fs/logs/" + good + "?task=t&type=stdout&origin=middle", null);
        assertEquals(400, badOrigin.status());
        assertTrue(badOrigin.body().contains("origin must be start or end"));
        var badFile = agent.call("GET", "/v1/client/fs/logs/" + good + "?task=t&type=stdout&file=alloc/logs/../../etc/passwd", null);
        assertEquals(400, badFile.status());
        assertTrue(badFile.body().contains("file must name one of the task's stdout log files"), badFile.body());

        assertEquals(200, agent.call("GET", "/v1/agent/health", null).status());
        assertEquals("running", agent.taskState(good, "t").path("State").asString(), "earlier job untouched");
        assertEquals(1, agent.get("/v1/jobs").size(), "no half-registered job");
    }
}
