package dev.drover.agent.jobspec;

import static dev.drover.agent.jobspec.JobAssertions.assertSameJob;
import static dev.drover.agent.jobspec.JobAssertions.map;
import static dev.drover.agent.jobspec.JobAssertions.strings;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.drover.agent.job.Job;
import dev.drover.agent.job.Lifecycle;
import dev.drover.agent.job.Logs;
import dev.drover.agent.job.Network;
import dev.drover.agent.job.Port;
import dev.drover.agent.job.Resources;
import dev.drover.agent.job.RestartPolicy;
import dev.drover.agent.job.Task;
import dev.drover.agent.job.TaskGroup;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class JobJsonTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final RestartPolicy SERVICE = new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), "fail");

    private static JsonNode json(String text) {
        return JSON.readTree(text.replace('\'', '"'));
    }

    private static List<String> errors(String text) {
        JobspecException e = assertThrows(JobspecException.class, () -> JobJson.fromJson(json(text)));
        return e.diagnostics();
    }

    /** A task with the given name and defaults elsewhere. */
    private static Task task(String name) {
        return new Task(name, "exec", "", Map.of(), Map.of(), Map.of(), new Resources(100, 300, 0), SERVICE,
                Duration.ofSeconds(5), "", new Logs(10, 10, false), null, false, Duration.ZERO);
    }

    @Test
    void writesNomadsShape() {
        var config = map("command", "/bin/app", "args", List.of("-n", 3L, 0.5, true), "mount", List.of(map("type", "bind")));
        var t = new Task("app", "raw_exec", "nobody", config, strings("A", "1"), Map.of(), new Resources(250, 128, 256),
                new RestartPolicy(1, Duration.ofMinutes(1), Duration.ofSeconds(10), "delay"), Duration.ofMillis(1500),
                "SIGINT", new Logs(2, 3, true), new Lifecycle("prestart", true), true, Duration.ofSeconds(1));
        var network = new Network("host", List.of(new Port("http", 0, 8080, "default"), new Port("admin", 9000, 0, "lan")));
        var job = new Job("app", "App", "batch", "ns", "r1", List.of("dc1", "dc2"), 60, strings("k", "v"),
                List.of(new TaskGroup("g", 2, SERVICE, network, Map.of(), List.of(t))));
        assertEquals(json("""
                {'ID': 'app', 'Name': 'App', 'Type': 'batch', 'Namespace': 'ns', 'Region': 'r1',
                 'Datacenters': ['dc1', 'dc2'], 'Priority': 60, 'Meta': {'k': 'v'},
                 'TaskGroups': [{
                   'Name': 'g', 'Count': 2,
                   'RestartPolicy': {'Attempts': 2, 'Interval': 1800000000000, 'Delay': 15000000000, 'Mode': 'fail'},
                   'Networks': [{'Mode': 'host',
                     'ReservedPorts': [{'Label': 'admin', 'Value': 9000, 'To': 0, 'HostNetwork': 'lan'}],
                     'DynamicPorts': [{'Label': 'http', 'Value': 0, 'To': 8080, 'HostNetwork': 'default'}]}],
                   'Meta': {},
                   'Tasks': [{
                     'Name': 'app', 'Driver': 'raw_exec', 'User': 'nobody',
                     'Config': {'command': '/bin/app', 'args': ['-n', 3, 0.5, true], 'mount': [{'type': 'bind'}]},
                     'Env': {'A': '1'}, 'Meta': {},
                     'Resources': {'CPU': 250, 'MemoryMB': 128, 'MemoryMaxMB': 256},
                     'RestartPolicy': {'Attempts': 1, 'Interval': 60000000000, 'Delay': 10000000000, 'Mode': 'delay'},
                     'KillTimeout': 1500000000, 'KillSignal': 'SIGINT',
                     'LogConfig': {'MaxFiles': 2, 'MaxFileSizeMB': 3, 'Disabled': true},
                     'Lifecycle': {'Hook': 'prestart', 'Sidecar': true},
                     'Leader': true, 'ShutdownDelay': 1000000000}]}]}
                """), JSON.readTree(JSON.writeValueAsString(JobJson.toJson(job)))); // via text: int vs long nodes
        assertSameJob(job, JobJson.fromJson(JobJson.toJson(job)));
    }

    @Test
    void readsWhatNomadWritesIgnoringUnknownKeysAndNulls() {
        // Trimmed from `nomad job run -output` for the redis example.
        Job job = JobJson.fromJson(json("""
                {'Job': {'Stop': false, 'Region': null, 'Namespace': null, 'ID': 'example', 'ParentID': null,
                  'Name': 'example', 'Type': 'service', 'Priority': null, 'AllAtOnce': null, 'Datacenters': ['dc1'],
                  'Constraints': [{'LTarget': '${attr.kernel.name}', 'RTarget': 'linux', 'Operand': '='}],
                  'TaskGroups': [{'Name': 'cache', 'Count': 1, 'Constraints': null,
                    'Tasks': [{'Name': 'redis', 'Driver': 'docker', 'User': '', 'Lifecycle': null,
                      'Config': {'image': 'redis:7', 'ports': ['db'], 'labels': null},
                      'Env': null, 'Services': null,
                      'Resources': {'CPU': 500, 'Cores': null, 'MemoryMB': 256, 'MemoryMaxMB': null, 'DiskMB': null,
                                    'Networks': null, 'Devices': null, 'IOPS': null},
                      'RestartPolicy': null, 'Meta': null, 'KillTimeout': null, 'LogConfig': null, 'Artifacts': null,
                      'Templates': null, 'Leader': false, 'ShutdownDelay': 0, 'KillSignal': '', 'Kind': ''}],
                    'RestartPolicy': {'Interval': 1800000000000, 'Attempts': 2, 'Delay': 15000000000, 'Mode': 'fail'},
                    'EphemeralDisk': {'Sticky': null, 'Migrate': null, 'SizeMB': 300},
                    'Networks': [{'Mode': '', 'Device': '', 'CIDR': '', 'IP': '', 'DNS': null, 'ReservedPorts': null,
                      'DynamicPorts': [{'Label': 'db', 'Value': 0, 'To': 6379, 'HostNetwork': ''}], 'MBits': null}],
                    'Meta': null, 'ShutdownDelay': null}],
                  'Update': {'Stagger': null, 'MaxParallel': 1}, 'Periodic': null, 'Meta': null, 'VaultToken': null}}
                """));
        Task redis = new Task("redis", "docker", "", map("image", "redis:7", "ports", List.of("db")), Map.of(), Map.of(),
                new Resources(500, 256, 0), SERVICE, Duration.ofSeconds(5), "", new Logs(10, 10, false), null, false,
                Duration.ZERO);
        var group = new TaskGroup("cache", 1, SERVICE, new Network("host", List.of(new Port("db", 0, 6379, "default"))),
                Map.of(), List.of(redis));
        assertSameJob(new Job("example", "example", "service", "default", "global", List.of("dc1"), 50, Map.of(),
                List.of(group)), job);
    }

    @Test
    void missingFieldsGetTheHclDefaults() {
        Job fromJson = JobJson.fromJson(json("{'ID': 'min', 'TaskGroups': [{'Name': 'g', 'Tasks': [{'Name': 't', 'Driver': 'exec'}]}]}"));
        Job fromHcl = new JobspecParser().parse("min.hcl", "job \"min\" {\n group \"g\" {\n  task \"t\" {\n   driver = \"exec\"\n  }\n }\n}\n").job();
        assertSameJob(fromHcl, fromJson);
    }

    @Test
    void restartPoliciesMergeFieldByFieldLikeHcl() {
        Job job = JobJson.fromJson(json("""
                {'ID': 'j', 'Type': 'batch', 'TaskGroups': [{'Name': 'g', 'RestartPolicy': {'Attempts': 5},
                  'Tasks': [{'Name': 't', 'Driver': 'exec', 'RestartPolicy': {'Mode': 'delay', 'Delay': 60000000000}}]}]}
                """));
        assertEquals(new RestartPolicy(5, Duration.ofHours(24), Duration.ofSeconds(15), "fail"), job.groups().getFirst().restart());
        assertEquals(new RestartPolicy(5, Duration.ofHours(24), Duration.ofMinutes(1), "delay"),
                job.groups().getFirst().tasks().getFirst().restart());
    }

    @Test
    void acceptsTheBareJobObject() {
        String bare = "{'ID': 'j', 'TaskGroups': [{'Name': 'g', 'Tasks': [{'Name': 't', 'Driver': 'exec'}]}]}";
        assertEquals(JobJson.fromJson(json(bare)), JobJson.fromJson(json("{'Job': " + bare + "}")));
    }

    @Test
    void configNumbersAndNullsAreNormalized() {
        Task t = JobJson.fromJson(json("""
                {'ID': 'j', 'TaskGroups': [{'Name': 'g', 'Tasks': [{'Name': 't', 'Driver': 'exec',
                  'Config': {'whole': 2.0, 'big': 12345678901234567890, 'half': 0.5, 'skip': null, 'n': {'x': null, 'y': 1}}}]}]}
                """)).groups().getFirst().tasks().getFirst();
        assertEquals(map("whole", 2L, "big", 1.2345678901234567E19, "half", 0.5, "n", map("y", 1L)), t.config());
    }

    @Test
    void roundTripsThroughJsonTextForSeveralJobs() {
        var groupRestart = new RestartPolicy(4, Duration.ofMinutes(10), Duration.ofSeconds(30), "delay");
        var complex = new Task("complex", "docker", "1000:1000",
                map("nested", map("deep", List.of(map("a", 1L), List.of("x", -2.25))), "empty", List.of(), "unicode", "grüße ${X}"),
                strings("Z", "last", "A", "first"), strings("m", "1"), new Resources(4000, 8192, 16384),
                new RestartPolicy(0, Duration.ofMinutes(10), Duration.ofSeconds(30), "fail"), Duration.ofNanos(123_456_789),
                "SIGQUIT", new Logs(1, 1, false), new Lifecycle("poststart", false), false, Duration.ofMillis(1));
        List<Job> jobs = List.of(
                new Job("a", "a", "service", "default", "global", List.of("dc1"), 50, Map.of(), List.of(
                        new TaskGroup("g", 1, SERVICE, null, Map.of(), List.of(task("t"))))),
                new Job("b", "Job B", "sysbatch", "ops", "eu", List.of("x", "y", "z"), 1, strings("z", "1", "a", "2"), List.of(
                        new TaskGroup("g1", 0, groupRestart, new Network("bridge", List.of()), Map.of(), List.of(complex)),
                        new TaskGroup("g2", 10, SERVICE, new Network("cni/mynet", List.of(new Port("p", 0, -1, "default"))),
                                strings("k", "v"), List.of(task("one"), task("two"))))),
                new Job("c", "c", "system", "default", "global", List.of("dc1"), 100, Map.of(), List.of(
                        new TaskGroup("g", 3, SERVICE, new Network("none", List.of(new Port("s", 65535, 65535, "h"))),
                                Map.of(), List.of(task("t"))))));
        for (Job job : jobs) {
            JsonNode reread = JSON.readTree(JSON.writeValueAsString(JobJson.toJson(job)));
            assertSameJob(job, JobJson.fromJson(reread));
        }
    }

    @Test
    void typeErrorsNameTheJsonPath() {
        assertEquals(List.of("Job.TaskGroups[0].Tasks[1].Resources.CPU: expected a whole number, got \"abc\""), errors("""
                {'ID': 'j', 'TaskGroups': [{'Name': 'g', 'Tasks': [
                  {'Name': 'a', 'Driver': 'exec'},
                  {'Name': 'b', 'Driver': 'exec', 'Resources': {'CPU': 'abc'}}]}]}
                """));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        'Priority': '50'                      ~ Job.Priority: expected a whole number, got "50"
        'Priority': 1e12                      ~ Job.Priority: out of range, got 1000000000000
        'Priority': 0                         ~ Job.Priority: priority must be between 1 and 100, got 0
        'Type': 'web'                         ~ Job.Type: type must be one of service, batch, system, sysbatch, got "web"
        'Type': 7                             ~ Job.Type: expected a string, got 7
        'Datacenters': 'dc1'                  ~ Job.Datacenters: expected an array of strings, got "dc1"
        'Datacenters': ['dc1', 2]             ~ Job.Datacenters[1]: expected a string, got 2
        'Datacenters': ['dc1', '']            ~ Job.Datacenters[1]: datacenter names must not be blank
        'Datacenters': []                     ~ Job.Datacenters: datacenters must not be empty
        'Meta': {'a': {}}                     ~ Job.Meta.a: expected a string, got an object
        'Meta': []                            ~ Job.Meta: expected an object of strings, got an array
        'ID': ''                              ~ Job.ID: job ID must not be blank
        'ID': 'a b'                           ~ Job.ID: job ID "a b" must not contain whitespace
        """)
    void jobLevelErrors(String field, String expected) {
        String base = "{'ID': 'j', 'TaskGroups': [{'Name': 'g', 'Tasks': [{'Name': 't', 'Driver': 'exec'}]}]}";
        String withField = field.startsWith("'ID'") ? base.replace("'ID': 'j'", field) : base.replace("{'ID'", "{" + field + ", 'ID'");
        assertEquals(List.of(expected), errors(withField));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        'Count': -1                                      ~ Job.TaskGroups[0].Count: count must not be negative, got -1
        'Count': 1.5                                     ~ Job.TaskGroups[0].Count: expected a whole number, got 1.5
        'RestartPolicy': {'Mode': 'never'}               ~ Job.TaskGroups[0].RestartPolicy.Mode: mode must be "fail" or "delay", got "never"
        'RestartPolicy': {'Attempts': 200}               ~ Job.TaskGroups[0].RestartPolicy: cannot restart 200 times within an interval of 30m with a delay of 15s
        'RestartPolicy': {'Interval': '30m'}             ~ Job.TaskGroups[0].RestartPolicy.Interval: expected a duration in nanoseconds, got "30m"
        'RestartPolicy': []                              ~ Job.TaskGroups[0].RestartPolicy: expected an object, got an array
        'Networks': [{}, {}]                             ~ Job.TaskGroups[0].Networks: only one network per group is supported, got 2
        'Networks': [{'Mode': 'vpn'}]                    ~ Job.TaskGroups[0].Networks[0].Mode: network mode must be host, bridge, none or cni/<name>, got "vpn"
        'Networks': [{'ReservedPorts': [{'Label': 'a'}]}] ~ Job.TaskGroups[0].Networks[0].ReservedPorts[0].Value: required for a reserved port
        'Networks': [{'ReservedPorts': [{'Label': 'a', 'Value': 0}]}] ~ Job.TaskGroups[0].Networks[0].ReservedPorts[0].Value: a reserved port needs a value between 1 and 65535
        'Networks': [{'ReservedPorts': [{'Label': 'a', 'Value': 70000}]}] ~ Job.TaskGroups[0].Networks[0].ReservedPorts[0].Value: static port must be between 0 and 65535, got 70000
        'Networks': [{'DynamicPorts': [{'Label': 'a-b'}]}] ~ Job.TaskGroups[0].Networks[0].DynamicPorts[0].Label: port label "a-b" must match [a-zA-Z0-9_]+
        'Networks': [{'ReservedPorts': [{'Label': 'a', 'Value': 80}], 'DynamicPorts': [{'Label': 'a'}]}] ~ Job.TaskGroups[0].Networks[0].DynamicPorts[0]: duplicate port label "a"
        'Networks': {}                                   ~ Job.TaskGroups[0].Networks: expected an array, got an object
        'Tasks': []                                      ~ Job.TaskGroups[0].Tasks: group "g" has no tasks
        'Tasks': [{'Name': 't', 'Driver': 'exec'}, {'Name': 't', 'Driver': 'exec'}] ~ Job.TaskGroups[0].Tasks[1]: duplicate task "t" in group "g"
        'Tasks': [5]                                     ~ Job.TaskGroups[0].Tasks[0]: expected an object, got 5
        """)
    void groupLevelErrors(String field, String expected) {
        String json = field.startsWith("'Tasks'")
                ? "{'ID': 'j', 'TaskGroups': [{'Name': 'g', " + field + "}]}"
                : "{'ID': 'j', 'TaskGroups': [{'Name': 'g', " + field + ", 'Tasks': [{'Name': 't', 'Driver': 'exec'}]}]}";
        assertEquals(List.of(expected), errors(json));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        'Driver': ''                          ~ Job.TaskGroups[0].Tasks[0].Driver: task "t" has no driver
        'KillTimeout': '5s'                   ~ Job.TaskGroups[0].Tasks[0].KillTimeout: expected a duration in nanoseconds, got "5s"
        'KillTimeout': -1                     ~ Job.TaskGroups[0].Tasks[0].KillTimeout: kill_timeout must not be negative
        'ShutdownDelay': -5                   ~ Job.TaskGroups[0].Tasks[0].ShutdownDelay: shutdown_delay must not be negative
        'Resources': {'MemoryMB': 5}          ~ Job.TaskGroups[0].Tasks[0].Resources.MemoryMB: memory must be at least 10 MB, got 5
        'Resources': {'CPU': 0}               ~ Job.TaskGroups[0].Tasks[0].Resources.CPU: cpu must be at least 1 MHz, got 0
        'LogConfig': {'MaxFiles': 0}          ~ Job.TaskGroups[0].Tasks[0].LogConfig.MaxFiles: max_files must be at least 1, got 0
        'Lifecycle': {'Hook': 'later'}        ~ Job.TaskGroups[0].Tasks[0].Lifecycle.Hook: hook must be one of prestart, poststart, poststop, got "later"
        'Leader': 'yes'                       ~ Job.TaskGroups[0].Tasks[0].Leader: expected true or false, got "yes"
        'Env': {'A': null}                    ~ Job.TaskGroups[0].Tasks[0].Env.A: expected a string, got null
        'Config': {'args': ['a', null]}       ~ Job.TaskGroups[0].Tasks[0].Config.args[1]: null is not allowed in a list
        'Config': 'x'                         ~ Job.TaskGroups[0].Tasks[0].Config: expected an object, got "x"
        'RestartPolicy': {'Attempts': -1}     ~ Job.TaskGroups[0].Tasks[0].RestartPolicy.Attempts: attempts must not be negative, got -1
        """)
    void taskLevelErrors(String field, String expected) {
        String json = "{'ID': 'j', 'TaskGroups': [{'Name': 'g', 'Tasks': [{'Name': 't', 'Driver': 'exec', " + field + "}]}]}";
        if (field.startsWith("'Driver'")) {
            json = json.replace("'Driver': 'exec', ", "");
        }
        assertEquals(List.of(expected), errors(json));
    }

    @Test
    void everyProblemIsReportedInTheOrderFound() {
        assertEquals(List.of(
                "Job.Priority: expected a whole number, got true",
                "Job.TaskGroups[0].Tasks[0].Driver: task \"a\" has no driver",
                "Job.TaskGroups[0].Tasks[1].Resources.MemoryMB: expected a whole number, got \"lots\"",
                "Job.TaskGroups[0].Count: count must not be negative, got -2", // a group is checked after its tasks
                "Job.TaskGroups[1].Tasks: group \"h\" has no tasks"), errors("""
                {'ID': 'j', 'Priority': true, 'TaskGroups': [
                  {'Name': 'g', 'Count': -2, 'Tasks': [{'Name': 'a'}, {'Name': 'b', 'Driver': 'x', 'Resources': {'MemoryMB': 'lots'}}]},
                  {'Name': 'h', 'Tasks': []}]}
                """));
    }

    @Test
    void theRootMustBeAnObject() {
        assertEquals(List.of("Job: expected an object, got an array"), errors("[1]"));
        assertEquals(List.of("Job.TaskGroups: job \"j\" has no groups"), errors("{'ID': 'j'}"));
        assertEquals(List.of("Job.TaskGroups: expected an array, got an object"), errors("{'ID': 'j', 'TaskGroups': {}}"));
    }
}
