package dev.drover.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentCommandTest {
    @Test
    void devFlagsOverrideAndEnableRawExec() throws Exception {
        var cmd = new AgentCommand();
        cmd.dev = true;
        var config = cmd.buildConfig();
        try {
            assertTrue(config.dev());
            assertEquals("127.0.0.1", config.bindAddr());
            assertEquals(4646, config.httpPort());
            assertEquals(true, config.plugins().get("raw_exec").get("enabled"));
            assertTrue(config.dataDir().getFileName().toString().startsWith("drover-dev-"));
        } finally {
            java.nio.file.Files.deleteIfExists(config.dataDir());
        }
    }

    @Test
    void flagsWinOverTheConfigFile(@TempDir Path dir) throws Exception {
        var file = dir.resolve("agent.hcl");
        Files.writeString(file, "data_dir = \"" + dir.resolve("from-file") + "\"\nports { http = 5000 }\n");
        var cmd = new AgentCommand();
        cmd.configFile = file;
        cmd.httpPort = 6000;
        var config = cmd.buildConfig();
        assertEquals(dir.resolve("from-file"), config.dataDir());
        assertEquals(6000, config.httpPort());
        assertEquals(null, config.plugins().get("raw_exec"), "raw_exec stays disabled outside -dev");
    }

    @Test
    void badConfigFileIsReportedAndTheAgentDoesNotStart(@TempDir Path dir) throws Exception {
        var file = dir.resolve("agent.hcl");
        Files.writeString(file, "data_dir = 42\n");
        var err = new java.io.ByteArrayOutputStream();
        var old = System.err;
        System.setErr(new java.io.PrintStream(err, true));
        try {
            assertEquals(1, AgentCommand.run(new String[] {"-config", file.toString()}));
        } finally {
            System.setErr(old);
        }
        assertTrue(err.toString().contains(file + ":1:1: data_dir must be a string"), err.toString());
    }
}
