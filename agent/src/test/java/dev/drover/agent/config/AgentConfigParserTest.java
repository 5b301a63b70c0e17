package dev.drover.agent.config;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.agent.jobspec.hcl.HclException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgentConfigParserTest {
    @Test
    void readsNomadStyleAgentConfig() {
        var c = AgentConfigParser.parse("agent.hcl", """
                # a Drover agent
                data_dir  = "/var/lib/drover"
                bind_addr = "127.0.0.1"
                datacenter = "east"
                ports {
                  http = 5656
                }
                client {
                  max_kill_timeout  = "45s"
                  start_parallelism = 4
                }
                plugin_placement = "per_task"
                plugin "raw_exec" {
                  config {
                    enabled = true
                  }
                }
                """);
        assertEquals("/var/lib/drover", c.dataDir());
        assertEquals("127.0.0.1", c.bindAddr());
        assertEquals("east", c.datacenter());
        assertEquals(5656, c.httpPort());
        assertEquals(Duration.ofSeconds(45), c.maxKillTimeout());
        assertEquals(Map.of("raw_exec", Map.of("enabled", true)), c.plugins());
        assertNull(c.region());
        assertEquals(4, c.startParallelism());
        assertEquals("per_task", c.placement());
    }

    @Test
    void unknownNamesAndBadValuesAreErrorsWithPositions() {
        var e = assertThrows(IllegalArgumentException.class, () -> AgentConfigParser.parse("agent.hcl", """
                data_dir = "/x"
                data_dri = "/y"
                ports {
                  http = 99999
                  rpc  = 4647
                }
                client {
                  max_kill_timeout = "forever"
                }
                plugin_placement = "everywhere"
                """));
        String m = e.getMessage();
        assertTrue(m.contains("agent.hcl:2:1: unknown field \"data_dri\" in agent config; allowed: "), m);
        assertTrue(m.contains("agent.hcl:4:3: http must be a port number 0-65535"), m);
        assertTrue(m.contains("agent.hcl:5:3: unknown field \"rpc\" in ports block; allowed: http"), m);
        assertTrue(m.contains("agent.hcl:8:3: max_kill_timeout: invalid duration \"forever\""), m);
        assertTrue(m.contains("agent.hcl:10:1: plugin_placement must be \"shared\" or \"per_task\", got \"everywhere\""), m);
    }

    @Test
    void stopModeAndGarbageCollectionOptions() {
        var c = AgentConfigParser.parse("agent.hcl", """
                client {
                  drain_on_stop = true
                  gc_interval   = "30s"
                  gc_max_allocs = 10
                  gc_alloc_ttl  = "24h"
                }
                """);
        assertEquals(true, c.drainOnStop());
        assertEquals(Duration.ofSeconds(30), c.gcInterval());
        assertEquals(10, c.gcMaxAllocs());
        assertEquals(Duration.ofHours(24), c.gcAllocTtl());
        var none = AgentConfigParser.parse("agent.hcl", "client {\n}\n");
        assertNull(none.drainOnStop());
        assertNull(none.gcInterval());

        var e = assertThrows(IllegalArgumentException.class, () -> AgentConfigParser.parse("agent.hcl", """
                client {
                  drain_on_stop = "yes"
                  gc_interval   = "0"
                  gc_max_allocs = -1
                  gc_alloc_ttl  = "soon"
                }
                """));
        String m = e.getMessage();
        assertTrue(m.contains("agent.hcl:2:3: drain_on_stop must be true or false"), m);
        assertTrue(m.contains("agent.hcl:3:3: gc_interval must be more than zero, got \"0\""), m);
        assertTrue(m.contains("agent.hcl:4:3: gc_max_allocs must be a whole number from 0 to 1000000"), m);
        assertTrue(m.contains("agent.hcl:5:3: gc_alloc_ttl: invalid duration \"soon\""), m);
    }

    @Test
    void syntaxErrorsCarryLineAndColumn() {
        var e = assertThrows(HclException.class, () -> AgentConfigParser.parse("agent.hcl", "data_dir = \"/x\nports {\n"));
        assertTrue(e.getMessage().startsWith("agent.hcl:1:"), e.getMessage());
    }
}
