package dev.drover.sdk.env;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.drover.sdk.driver.AllocatedPort;
import dev.drover.sdk.driver.FsIsolation;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TaskEnvTest {
    private static final NodeInfo NODE = new NodeInfo("node-1", "box", "dc1", "global", "", "default",
            Map.of("kernel.name", "linux"), Map.of("rack", "r1"));

    private static TaskEnv.Builder base(FsIsolation isolation) {
        return TaskEnv.builder()
                .alloc("0123456789abcdef", "web.api[2]", 2)
                .job("web", "web", "")
                .group("api")
                .task("server")
                .placement("default", "global", "dc1")
                .resources(500, 256, 0)
                .dirs(isolation, Path.of("/data/alloc/0123"), "server")
                .node(NODE);
    }

    @Test
    void hostPathsForNoIsolationAndSandboxPathsOtherwise() {
        var raw = base(FsIsolation.NONE).build().env();
        assertEquals("/data/alloc/0123/alloc", raw.get("NOMAD_ALLOC_DIR"));
        assertEquals("/data/alloc/0123/server/local", raw.get("NOMAD_TASK_DIR"));
        assertEquals("/data/alloc/0123/server/secrets", raw.get("NOMAD_SECRETS_DIR"));
        for (var iso : List.of(FsIsolation.CHROOT, FsIsolation.IMAGE)) {
            var env = base(iso).build().env();
            assertEquals("/alloc", env.get("NOMAD_ALLOC_DIR"));
            assertEquals("/local", env.get("NOMAD_TASK_DIR"));
            assertEquals("/secrets", env.get("NOMAD_SECRETS_DIR"));
        }
    }

    @Test
    void identityAndResources() {
        var env = base(FsIsolation.NONE).build().env();
        assertEquals("0123456789abcdef", env.get("NOMAD_ALLOC_ID"));
        assertEquals("01234567", env.get("NOMAD_SHORT_ALLOC_ID"));
        assertEquals("web.api[2]", env.get("NOMAD_ALLOC_NAME"));
        assertEquals("2", env.get("NOMAD_ALLOC_INDEX"));
        assertEquals("server", env.get("NOMAD_TASK_NAME"));
        assertEquals("api", env.get("NOMAD_GROUP_NAME"));
        assertEquals("web", env.get("NOMAD_JOB_ID"));
        assertEquals("dc1", env.get("NOMAD_DC"));
        assertEquals("500", env.get("NOMAD_CPU_LIMIT"));
        assertEquals("256", env.get("NOMAD_MEMORY_LIMIT"));
        assertNull(env.get("NOMAD_MEMORY_MAX_LIMIT"), "only set when memory_max is");
        assertNull(env.get("NOMAD_JOB_PARENT_ID"), "empty values are not emitted");
    }

    @Test
    void portsAndDriverPortMap() {
        var ports = List.of(new AllocatedPort("http", 23456, 0, "127.0.0.1"), new AllocatedPort("db", 24000, 5432, "127.0.0.1"));
        var env = base(FsIsolation.NONE).ports(ports, Map.of("http", 8080)).build().env();
        assertEquals("8080", env.get("NOMAD_PORT_http"), "driver port map wins");
        assertEquals("23456", env.get("NOMAD_HOST_PORT_http"));
        assertEquals("127.0.0.1:23456", env.get("NOMAD_ADDR_http"));
        assertEquals("127.0.0.1", env.get("NOMAD_IP_http"));
        assertEquals("5432", env.get("NOMAD_PORT_db"), "'to' is the port inside");
        assertEquals("24000", env.get("NOMAD_HOST_PORT_db"));
    }

    @Test
    void precedenceMetaHostEnvAndTaskEnv() {
        var meta = new LinkedHashMap<String, String>();
        meta.put("owner", "ops-${NOMAD_TASK_NAME}");
        meta.put("my-key", "v");
        var env = base(FsIsolation.NONE)
                .meta(meta)
                .hostEnv(Map.of("PATH", "/usr/bin", "VAULT_TOKEN", "secret", "NOMAD_TASK_NAME", "hijack"), TaskEnv.DEFAULT_DENYLIST)
                .taskEnv(Map.of("PATH", "/opt/bin:${PATH}", "WHERE", "${NOMAD_TASK_DIR}/x", "NODE", "${node.unique.id}",
                        "KEEP", "${does.not.exist}"))
                .build().env();
        assertEquals("ops-server", env.get("NOMAD_META_OWNER"));
        assertEquals("ops-server", env.get("NOMAD_META_owner"));
        assertEquals("v", env.get("NOMAD_META_my_key"), "illegal characters cleaned");
        assertEquals("server", env.get("NOMAD_TASK_NAME"), "host env never overrides Nomad variables");
        assertFalse(env.containsKey("VAULT_TOKEN"), "denylisted host vars are dropped");
        assertEquals("/opt/bin:/usr/bin", env.get("PATH"), "task env wins and can refer to the host value");
        assertEquals("/data/alloc/0123/server/local/x", env.get("WHERE"));
        assertEquals("node-1", env.get("NODE"));
        assertEquals("${does.not.exist}", env.get("KEEP"), "unknown references stay as written");
    }

    @Test
    void imageDriversGetNoHostEnv() {
        var env = base(FsIsolation.IMAGE).hostEnv(Map.of("HOME", "/root"), Set.of()).build().env();
        assertFalse(env.containsKey("HOME"));
    }

    @Test
    void interpolatesConfigDeeply() {
        var env = base(FsIsolation.NONE).build();
        var config = new LinkedHashMap<String, Object>();
        config.put("command", "${NOMAD_TASK_DIR}/run");
        config.put("args", List.of("--dc=${node.datacenter}", "${attr.kernel.name}", "${meta.rack}", "$${literal}"));
        config.put("port", 8080L);
        var out = env.interpolateConfig(config);
        assertEquals("/data/alloc/0123/server/local/run", out.get("command"));
        assertEquals(List.of("--dc=dc1", "linux", "r1", "$${literal}"), out.get("args"));
        assertEquals(8080L, out.get("port"));
        assertEquals("x-server-${env[\"NOPE\"]}", env.interpolate("x-${env[\"NOMAD_TASK_NAME\"]}-${env[\"NOPE\"]}"));
    }
}
