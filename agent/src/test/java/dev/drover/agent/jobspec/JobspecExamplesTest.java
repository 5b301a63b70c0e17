package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.JobAssertions.assertSameJob;
import static dev.drover.agent.jobspec.JobAssertions.map;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Network;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Job files written the way Nomad's documentation writes them (src/test/resources/jobspec). */
class JobspecExamplesTest {

    static final RestartPolicy SERVICE_RESTART = new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), "fail");
    static final RestartPolicy BATCH_RESTART = new RestartPolicy(3, Duration.ofHours(24), Duration.ofSeconds(15), "fail");
    static final Logs DEFAULT_LOGS = new Logs(10, 10, false);
    static final Duration FIVE_SECONDS = Duration.ofSeconds(5);

    static String resource(String name) {
        try (InputStream in = JobspecExamplesTest.class.getResourceAsStream("/jobspec/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    static ParsedJob parse(String name) {
        return new JobspecParser().parse(name, resource(name));
    }

    /** A task with every optional setting at its default. */
    static Task task(String name, String driver, Map<String, Object> config, Resources resources, RestartPolicy restart) {
        return new Task(name, driver, "", config, Map.of(), Map.of(), resources, restart, FIVE_SECONDS, "", DEFAULT_LOGS,
                null, false, Duration.ZERO);
    }

    @Test
    void redisServiceWithIgnoredServiceUpdateAndConstraint() {
        ParsedJob parsed = parse("redis.hcl");
        Task redis = task("redis", "docker", map("image", "redis:7", "ports", List.of("db"), "auth_soft_fail", true),
                new Resources(500, 256, 0), SERVICE_RESTART);
        var network = new Network("host", List.of(new Port("db", 0, 6379, "default")));
        var group = new TaskGroup("cache", 1, SERVICE_RESTART, network, Map.of(), List.of(redis));
        assertSameJob(new Job("example", "example", "service", "default", "global", List.of("dc1"), 50, Map.of(),
                List.of(group)), parsed.job());
        assertEquals(List.of(
                "redis.hcl:6:3: \"constraint\" is not supported by Drover yet and is ignored",
                "redis.hcl:11:3: \"update\" is not supported by Drover yet and is ignored",
                "redis.hcl:29:5: \"service\" is not supported by Drover yet and is ignored",
                "redis.hcl:50:5: \"ephemeral_disk\" is not supported by Drover yet and is ignored"), parsed.warnings());
    }

    @Test
    void batchJobWithRawExecAndAHeredocScript() {
        ParsedJob parsed = parse("batch-raw-exec.hcl");
        String script = """
                set -eu
                echo "report for ${NOMAD_JOB_NAME}" > "${NOMAD_TASK_DIR}/report.txt"
                cat "${HOME}/notes"
                """;
        var env = new LinkedHashMap<String, String>();
        env.put("REPORT_FORMAT", "csv");
        env.put("MAX_ROWS", "5000");
        env.put("VERBOSE", "true");
        var generate = new Task("generate", "raw_exec", "nobody",
                map("command", "/bin/sh", "args", List.of("-c", script)), env, Map.of(),
                new Resources(250, 128, 512), BATCH_RESTART, Duration.ofSeconds(90), "SIGINT", new Logs(3, 5, false),
                null, false, Duration.ZERO);
        var group = new TaskGroup("report", 1, BATCH_RESTART, null, Map.of(), List.of(generate));
        assertSameJob(new Job("nightly-report", "nightly-report", "batch", "default", "global", List.of("dc1", "dc2"), 70,
                Map.of(), List.of(group)), parsed.job());
        assertEquals(List.of("batch-raw-exec.hcl:7:3: \"periodic\" is not supported by Drover yet and is ignored"),
                parsed.warnings());
    }

    @Test
    void lifecycleHooksSidecarAndLeader() {
        ParsedJob parsed = parse("lifecycle-sidecar.hcl");
        Resources defaults = new Resources(100, 300, 0);
        var initDb = new Task("init-db", "exec", "",
                map("command", "/usr/local/bin/migrate", "args", List.of("--db", "postgres://db.service.consul/app")),
                Map.of(), Map.of(), new Resources(100, 64, 0), SERVICE_RESTART, FIVE_SECONDS, "", DEFAULT_LOGS,
                new Lifecycle("prestart", false), false, Duration.ZERO);
        var proxy = new Task("proxy", "exec", "",
                map("command", "/usr/local/bin/envoy", "args", List.of("--admin-port", "${NOMAD_PORT_admin}")),
                Map.of(), Map.of(), defaults, SERVICE_RESTART, FIVE_SECONDS, "", DEFAULT_LOGS,
                new Lifecycle("prestart", true), false, Duration.ZERO);
        var web = new Task("web", "exec", "",
                map("command", "/usr/local/bin/web", "args", List.of("-listen", ":${NOMAD_PORT_http}")),
                Map.of(), Map.of(), defaults, new RestartPolicy(5, Duration.ofMinutes(30), Duration.ofSeconds(10), "fail"),
                FIVE_SECONDS, "", DEFAULT_LOGS, null, true, Duration.ofSeconds(5));
        var flush = new Task("flush-cache", "exec", "", map("command", "/usr/local/bin/flush"), Map.of(), Map.of(),
                defaults, SERVICE_RESTART, FIVE_SECONDS, "", DEFAULT_LOGS, new Lifecycle("poststop", false), false,
                Duration.ZERO);
        var network = new Network("host", List.of(new Port("http", 0, 0, "default"), new Port("admin", 9901, 0, "default")));
        var group = new TaskGroup("app", 2, SERVICE_RESTART, network, Map.of(), List.of(initDb, proxy, web, flush));
        assertSameJob(new Job("app-with-proxy", "app-with-proxy", "service", "default", "global", List.of("dc1"), 50,
                Map.of(), List.of(group)), parsed.job());
        assertEquals(List.of("admin", "http"), parsed.job().groups().getFirst().network().ports().stream().map(Port::label).toList(),
                "static ports first, as Nomad stores them");
        assertEquals(List.of(), parsed.warnings());
    }

    @Test
    void templatesArtifactsVaultAndVariablesBecomeWarnings() {
        ParsedJob parsed = parse("templates-artifacts.hcl");
        Task nginx = task("nginx", "docker", map("image", "nginx:1.25", "ports", List.of("http"),
                        "volumes", List.of("local/nginx.conf:/etc/nginx/conf.d/default.conf")),
                new Resources(200, 128, 0), SERVICE_RESTART);
        var network = new Network("host", List.of(new Port("http", 0, 80, "default")));
        var group = new TaskGroup("nginx", 3, SERVICE_RESTART, network, Map.of(), List.of(nginx));
        assertSameJob(new Job("web", "web", "service", "frontend", "us-east", List.of("us-east-1a", "us-east-1b"), 50,
                Map.of(), List.of(group)), parsed.job());
        assertEquals(List.of(
                "templates-artifacts.hcl:1:1: \"variable\" blocks are ignored: HCL variables are not supported by Drover",
                "templates-artifacts.hcl:11:3: \"vault\" is not supported by Drover yet and is ignored",
                "templates-artifacts.hcl:35:7: \"artifact\" is not supported by Drover yet and is ignored",
                "templates-artifacts.hcl:40:7: \"template\" is not supported by Drover yet and is ignored",
                "templates-artifacts.hcl:52:7: \"service\" is not supported by Drover yet and is ignored",
                "templates-artifacts.hcl:60:9: \"device\" is not supported by Drover yet and is ignored"),
                parsed.warnings());
    }

    @Test
    void everySupportedSettingAwayFromItsDefault() {
        ParsedJob parsed = parse("everything.hcl");
        var config = new LinkedHashMap<String, Object>();
        config.put("image", "example/api:2.1");
        config.put("ports", List.of("grpc", "metrics"));
        config.put("command", "serve");
        config.put("args", List.of("--threads", 8L, "--ratio", 0.75, "--debug", false));
        config.put("labels", List.of(map("com_example_team", "platform")));
        config.put("mount", List.of(
                map("type", "bind", "source", "local/config", "target", "/etc/api"),
                map("type", "tmpfs", "target", "/scratch", "readonly", false)));
        config.put("port_map", map("grpc", 443L));
        var env = new LinkedHashMap<String, String>();
        env.put("LOG_LEVEL", "debug");
        env.put("DATA_DIR", "${NOMAD_ALLOC_DIR}/data");
        var groupRestart = new RestartPolicy(10, Duration.ofMinutes(5), Duration.ofSeconds(25), "delay");
        var server = new Task("server", "docker", "app", config, env, Map.of("owner", "alice"),
                new Resources(1200, 1024, 2048), new RestartPolicy(1, Duration.ofMinutes(5), Duration.ofSeconds(25), "fail"),
                Duration.ofSeconds(45), "SIGTERM", new Logs(4, 20, true), null, true, Duration.ofSeconds(2));
        var network = new Network("bridge", List.of(new Port("grpc", 8443, 443, "public"), new Port("metrics", 0, -1, "default")));
        var group = new TaskGroup("api", 0, groupRestart, network, Map.of("tier", "backend"), List.of(server));
        var meta = new LinkedHashMap<String, String>();
        meta.put("team", "platform");
        meta.put("cost.center", "1234");
        assertSameJob(new Job("everything", "Everything Job", "service", "platform", "eu", List.of("eu-west-1", "eu-west-2"),
                90, meta, List.of(group)), parsed.job());
        assertEquals(List.of(), parsed.warnings());
    }

    @Test
    void everyExampleSurvivesTheJsonRoundTrip() {
        for (String name : List.of("redis.hcl", "batch-raw-exec.hcl", "lifecycle-sidecar.hcl", "templates-artifacts.hcl",
                "everything.hcl")) {
            Job job = parse(name).job();
            assertSameJob(job, JobJson.fromJson(JobJson.toJson(job)));
        }
    }
}
