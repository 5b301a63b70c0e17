package dev.drover.agent.e2e;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import dev.drover.sdk.plugin.PluginPlacement;

/**
 * A fresh agent on a fresh data dir for every test, drained and stopped afterwards. Every test
 * runs in both plugin placements: they must behave the same.
 */
@ParameterizedClass
@EnumSource(PluginPlacement.class)
abstract class AgentTestBase {
    @Parameter
    PluginPlacement placement;
    @TempDir
    Path dir;
    AgentFixture agent;

    @BeforeEach
    void startAgent() throws Exception {
        agent = new AgentFixture(dir, placement, plugins());
    }

    /** Extra driver plugin configs for the agent of every test of the class. */
    java.util.Map<String, java.util.Map<String, Object>> plugins() {
        return java.util.Map.of();
    }

    @AfterEach
    void stopAgent() throws Exception {
        agent.close();
    }
}
