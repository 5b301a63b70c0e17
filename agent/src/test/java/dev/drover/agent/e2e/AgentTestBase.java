package dev.drover.agent.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/** A fresh agent on a fresh data dir for every test; drained and stopped afterwards. */
abstract class AgentTestBase {
    @TempDir
    Path dir;
    AgentFixture agent;

    @BeforeEach
    void startAgent() throws Exception {
        agent = new AgentFixture(dir);
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.close();
    }
}
