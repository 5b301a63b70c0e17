package dev.drover.agent.jobspec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every class of jobspec error, with its full {@code file:line:col: message} text. */
class JobspecErrorTest {

    private static final String ALLOWED_IN_TASK = "allowed: driver, user, config, env, meta, resources, restart, "
            + "kill_timeout, kill_signal, logs, lifecycle, leader, shutdown_delay";

    private static List<String> errors(String src) {
        JobspecException e = assertThrows(JobspecException.class, () -> new JobspecParser().parse("web.hcl", src));
        assertEquals(String.join("\n", e.diagnostics()), e.getMessage());
        return e.diagnostics();
    }

    /** The job below with {@code jobLine} as line 2, {@code groupLine} as line 4 and {@code taskLine} as line 7. */
    private static List<String> errorsWith(String jobLine, String groupLine, String taskLine) {
        return errors("""
                job "web" {
                  %s
                  group "g" {
                    %s
                    task "t" {
                      driver = "exec"
                      %s
                    }
                  }
                }
                """.formatted(jobLine, groupLine, taskLine).replace('|', '\n'));
    }

    @Test
    void theThreeExamplesFromTheDesignNote() {
        assertEquals(List.of(
                "web.hcl:5:3: task \"web\" has no driver",
                "web.hcl:7:5: unknown attribute \"comand\" in task \"web\"; " + ALLOWED_IN_TASK,
                "web.hcl:9:14: count must be a whole number, got string \"two\""), errors("""
                job "web" {
                datacenters = ["dc1"]

                group "web" {
                  task "web" {
                    user = "x"
                    comand = "echo"
                  }
                  count    = "two"
                }
                }
                """));
    }

    // '|' starts a new line at column 1 inside the inserted text.
    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        type = "servce"              ~ 2:10: type must be one of service, batch, system, sysbatch, got "servce"
        priority = 101               ~ 2:14: priority must be between 1 and 100, got 101
        priority = 0                 ~ 2:14: priority must be between 1 and 100, got 0
        datacenters = "dc1"          ~ 2:17: datacenters must be a list of strings, got string "dc1"
        datacenters = []             ~ 2:17: datacenters must not be empty
        datacenters = ["dc1", " "]   ~ 2:25: datacenter names must not be blank
        datacenters = ["dc1", [2]]   ~ 2:25: datacenters[1] must be a string, got a list
        datacenters = [var.dc]       ~ 2:18: variables and references are not supported: var.dc
        namespace = ""               ~ 2:15: namespace must not be blank
        name = ""                    ~ 2:10: job name must not be blank
        meta { a = var.x }           ~ 2:14: variables and references are not supported: var.x
        groop "x" {}                 ~ 2:3: unknown block "groop" in job "web"; allowed: name, type, region, namespace, datacenters, priority, meta, group
        id = "x"                     ~ 2:3: unknown attribute "id" in job "web"; allowed: name, type, region, namespace, datacenters, priority, meta, group
        group "empty" {}             ~ 2:3: group "empty" has no tasks
        group "g" {|task "t" { driver = "x" }|} ~ 5:3: duplicate group "g"
        meta = {}|meta {}            ~ 3:1: "meta" is already set in job "web" at 2:3
        group = "x"                  ~ 2:3: "group" is a block, not an attribute; write group "<name>" { ... }
        group {}                     ~ 2:3: block "group" needs exactly one label, its name: group "<name>" { ... }
        """)
    void jobLevel(String line, String expected) {
        assertEquals(List.of("web.hcl:" + expected), errorsWith(line, "", ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        count = "two"                ~ 4:13: count must be a whole number, got string "two"
        count = 1.5                  ~ 4:13: count must be a whole number, got number 1.5
        count = -1                   ~ 4:13: count must not be negative, got -1
        count = 99999999999          ~ 4:13: count is out of range, got 99999999999
        count = var.n                ~ 4:13: variables and references are not supported: var.n
        count {}                     ~ 4:5: "count" is an attribute, not a block; write count = ...
        count = 1|count = 2          ~ 5:1: attribute "count" was already set at 4:5
        tsk "x" {}                   ~ 4:5: unknown block "tsk" in group "g"; allowed: count, restart, network, meta, task
        restart { mode = "never" }   ~ 4:22: mode must be "fail" or "delay", got "never"
        restart { attempts = -1 }    ~ 4:26: attempts must not be negative, got -1
        restart { interval = "1s" }  ~ 4:26: interval must be at least 5s, got 1s
        restart { interval = 300 }   ~ 4:26: interval must be a duration string such as "10s", got number 300
        restart { tries = 1 }        ~ 4:15: unknown attribute "tries" in restart block of group "g"; allowed: attempts, interval, delay, mode
        restart {|attempts = 10|delay = "1m"|interval = "5m"|} ~ 4:5: cannot restart 10 times within an interval of 5m with a delay of 1m
        restart {|attempts = 0|mode = "delay"|}                ~ 5:12: mode "delay" with 0 attempts is ambiguous; use mode "fail" or set attempts
        network { mode = "nat" }     ~ 4:22: network mode must be host, bridge, none or cni/<name>, got "nat"
        network {|port "my-port" {}|} ~ 5:1: port label "my-port" must match [a-zA-Z0-9_]+
        network {|port "http" {}|port "http" { static = 80 }|} ~ 6:1: duplicate port label "http"
        network {|port "p" { static = 70000 }|} ~ 5:21: static port must be between 0 and 65535, got 70000
        network {|port "p" { to = -2 }|}       ~ 5:17: to must be between -1 and 65535, got -2
        network {|port {}|}          ~ 5:1: block "port" needs exactly one label, its name: port "<name>" { ... }
        network {|port "p" { static = "x" }|}  ~ 5:21: static must be a whole number, got string "x"
        network {}|network {}        ~ 5:1: "network" is already set in group "g" at 4:5
        network = {}                 ~ 4:5: "network" is a block, not an attribute; write network { ... }
        meta = ["a"]                 ~ 4:12: meta must be a map of strings, got a list
        meta {|nested {}|}           ~ 5:1: "meta" holds only key = value pairs, not blocks
        task = "x"                   ~ 4:5: "task" is a block, not an attribute; write task "<name>" { ... }
        task "t" {|driver = "exec"|} ~ 7:5: duplicate task "t" in group "g"
        task "a/b" {|driver = "x"|}  ~ 4:5: task name "a/b" must not contain '/'
        task "u" {|driver = "x"|}    ~ 4:5: task "u" has no driver
        task {|driver = "x"|}        ~ 4:5: block "task" needs exactly one label, its name: task "<name>" { ... }
        """)
    void groupLevel(String line, String expected) {
        // the last case redefines driver below, so it only passes if "driver = \"x\"" is what's missing
        String groupLine = line.equals("task \"u\" {|driver = \"x\"|}") ? "task \"u\" {|user = \"x\"|}" : line;
        assertEquals(List.of("web.hcl:" + expected), errorsWith("", groupLine, ""));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '~', quoteCharacter = '`', textBlock = """
        comand = "x"                 ~ 7:7: unknown attribute "comand" in task "t"; allowed: driver, user, config, env, meta, resources, restart, kill_timeout, kill_signal, logs, lifecycle, leader, shutdown_delay
        commands {}                  ~ 7:7: unknown block "commands" in task "t"; allowed: driver, user, config, env, meta, resources, restart, kill_timeout, kill_signal, logs, lifecycle, leader, shutdown_delay
        driver = "exec"              ~ 7:7: attribute "driver" was already set at 6:7
        kill_timeout = 10            ~ 7:22: kill_timeout must be a duration string such as "10s", got number 10
        leader = "yes"               ~ 7:16: leader must be true or false, got string "yes"
        user = ["root"]              ~ 7:14: user must be a string, got a list
        env = { A = [1] }            ~ 7:19: env.A must be a string, got a list
        env {|A = {}|}               ~ 8:5: env.A must be a string, got an object
        env = "A=1"                  ~ 7:13: env must be a map of strings, got string "A=1"
        resources { cpu = 0 }        ~ 7:25: cpu must be at least 1 MHz, got 0
        resources { memory = 5 }     ~ 7:28: memory must be at least 10 MB, got 5
        resources {|memory = 500|memory_max = 100|} ~ 9:14: memory_max must be 0 (unset) or at least memory (500 MB), got 100
        resources { mem = 1 }        ~ 7:19: unknown attribute "mem" in resources block of task "t"; allowed: cpu, memory, memory_max
        resources "big" {}           ~ 7:7: block "resources" takes no labels
        resources {}|resources {}    ~ 8:1: "resources" is already set in task "t" at 7:7
        logs { max_files = 0 }       ~ 7:26: max_files must be at least 1, got 0
        logs { max_file_size = 0 }   ~ 7:30: max_file_size must be at least 1 MB, got 0
        lifecycle { sidecar = true } ~ 7:7: hook must be one of prestart, poststart, poststop, got ""
        lifecycle { hook = "pre" }   ~ 7:26: hook must be one of prestart, poststart, poststop, got "pre"
        restart { mode = "x" }       ~ 7:24: mode must be "fail" or "delay", got "x"
        config { args = [var.x] }    ~ 7:24: variables and references are not supported: var.x
        config { a = [null] }        ~ 7:7: config.a[0] is null; lists in config cannot hold null
        config {|m = 1|m {}|}        ~ 9:1: "m" is used both as an attribute and as a block
        config = {}                  ~ 7:7: "config" is a block, not an attribute; write config { ... }
        driver {}                    ~ 7:7: "driver" is an attribute, not a block; write driver = ...
        """)
    void taskLevel(String line, String expected) {
        assertEquals(List.of("web.hcl:" + expected), errorsWith("", "", line));
    }

    @Test
    void durationsThatDoNotParseSayWhich() {
        List<String> errors = errorsWith("", "", "kill_timeout = \"10\"");
        assertEquals(1, errors.size());
        assertEquals(true, errors.getFirst().startsWith("web.hcl:7:22: kill_timeout: invalid duration \"10\""), errors.getFirst());
    }

    @Test
    void twoLeadersInOneGroup() {
        assertEquals(List.of("web.hcl:8:5: only one task in group \"g\" may be the leader"),
                errorsWith("", "task \"u\" {|driver = \"x\"|leader = true|}", "leader = true"));
    }

    @Test
    void fileLevelProblems() {
        assertEquals(List.of("web.hcl:1:1: no job found; a job file holds one job \"<id>\" { ... } block"),
                errors("variable \"x\" {}\n"));
        assertEquals(List.of("web.hcl:1:1: no job found; a job file holds one job \"<id>\" { ... } block"), errors(""));
        assertEquals(List.of("web.hcl:1:1: block \"job\" needs exactly one label, its name: job \"<name>\" { ... }"),
                errors("job {}\n"));
        assertEquals(List.of("web.hcl:6:1: only one job per file is supported; the first is at 1:1"),
                errors("job \"a\" {\n group \"g\" {\n  task \"t\" { driver = \"x\" }\n }\n}\njob \"b\" {}\n"));
        assertEquals(List.of("web.hcl:1:1: unknown attribute \"x\" in the file; allowed: job",
                        "web.hcl:2:1: job \"j\" has no groups"),
                errors("x = 1\njob \"j\" {}\n"));
        assertEquals(List.of("web.hcl:1:1: job ID \"my job\" must not contain whitespace"),
                errors("job \"my job\" {\n group \"g\" {\n  task \"t\" { driver = \"x\" }\n }\n}\n"));
    }

    @Test
    void aMalformedOnlyChildIsNotAlsoReportedAsMissing() {
        assertEquals(List.of("web.hcl:3:5: block \"task\" needs exactly one label, its name: task \"<name>\" { ... }"),
                errors("job \"j\" {\n  group \"g\" {\n    task {\n      driver = \"x\"\n    }\n  }\n}\n"));
        assertEquals(List.of("web.hcl:1:1: job ID must not be blank"),
                errors("job \"\" {\n  group \"g\" {\n    task \"t\" { driver = \"x\" }\n  }\n}\n"));
    }

    @Test
    void syntaxErrorsComeThroughWithTheirPositions() {
        assertEquals(List.of("web.hcl:2:13: operator '+' is not supported; Drover reads literal values only",
                        "web.hcl:3:8: expected '=' or '{' after \"group\""),
                errors("job \"j\" {\n  count = 1 + 1\n  group\n}\n"));
    }

    @Test
    void allErrorsAcrossTasksAndGroupsAreReportedInFileOrder() {
        assertEquals(List.of(
                "web.hcl:2:14: priority must be between 1 and 100, got 500",
                "web.hcl:4:13: count must not be negative, got -3",
                "web.hcl:5:5: task \"a\" has no driver",
                "web.hcl:6:28: memory must be at least 10 MB, got 1",
                // tasks that failed are left out, so this is the second "b" that decoded
                "web.hcl:10:5: duplicate task \"b\" in group \"one\"",
                "web.hcl:11:5: task \"b\" has no driver",
                "web.hcl:12:7: unknown block \"confg\" in task \"b\"; " + ALLOWED_IN_TASK,
                "web.hcl:15:3: group \"two\" has no tasks",
                "web.hcl:16:3: group \"two\" has no tasks",
                "web.hcl:17:3: group \"three\" has no tasks"), errors("""
                job "j" {
                  priority = 500
                  group "one" {
                    count = -3
                    task "a" {
                      resources { memory = 1 }
                    }
                    task "b" { driver = "x" }
                    task "c" { driver = "y" }
                    task "b" { driver = "z" }
                    task "b" {
                      confg {}
                    }
                  }
                  group "two" {}
                  group "two" {}
                  group "three" {}
                }
                """));
    }
}
