package dev.drover.agent.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.plugin.PluginPlacement;
import dev.drover.sdk.testing.ProcScan;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Supervision is not charged to the task (issue 4 part 5): in both placements the plugin processes that
 * serve a task (executor and logmon, or the shared host) are in none of the task's cgroups, read from
 * /proc/PID/cgroup of the real processes, for every hierarchy (cgroup v1 controllers and the v2 one).
 */
class SupervisionCgroupTest extends AgentTestBase {

    @Test
    void pluginProcessesLiveOutsideTheTasksCgroups() throws Exception {
        String alloc = agent.run("""
                job "charged" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "/bin/sh"
                        args    = ["-c", "echo started; exec sleep 43219"]
                      }
                      resources {
                        memory = 64
                      }
                    }
                  }
                }
                """).getFirst();
        agent.awaitLog(alloc, "t", "stdout", "started");
        var task = ProcScan.withCmdline("sleep 43219").stream()
                .filter(p -> ProcScan.cgroupLines(p.pid()).stream().anyMatch(l -> l.contains(alloc))).toList();
        assertEquals(1, task.size(), "the task's process, in a cgroup named after its allocation: " + task);
        var taskCgroups = hierarchies(task.getFirst().pid());
        // the task is accounted somewhere of its own: its memory cgroup is the allocation's
        assertTrue(taskCgroups.entrySet().stream().anyMatch(e -> e.getKey().contains("memory") && e.getValue().contains(alloc))
                || taskCgroups.getOrDefault("", "").contains(alloc), "the task has a memory cgroup of its own: " + taskCgroups);

        var plugins = ProcScan.withCmdline("dev.drover.sdk.plugin.PluginMain").stream()
                .filter(p -> p.cmdline().contains(dir.toString())).toList();
        var names = plugins.stream().map(p -> pluginName(p.cmdline())).sorted().toList();
        assertEquals(placement == PluginPlacement.SHARED ? List.of("executor,logmon") : List.of("executor", "logmon"), names,
                "the plugin processes of this agent: " + plugins);
        for (var plugin : plugins) {
            var pluginCgroups = hierarchies(plugin.pid());
            assertFalse(pluginCgroups.isEmpty(), "cgroups of " + plugin);
            for (var e : taskCgroups.entrySet()) {
                String taskPath = e.getValue();
                String pluginPath = Optional.ofNullable(pluginCgroups.get(e.getKey())).orElse("");
                if (!taskPath.contains(alloc)) continue; // a hierarchy the task shares with everything (e.g. name=systemd)
                assertFalse(pluginPath.equals(taskPath) || pluginPath.startsWith(taskPath + "/"),
                        pluginName(plugin.cmdline()) + " (pid " + plugin.pid() + ") is inside the task's cgroup in hierarchy \""
                                + e.getKey() + "\": " + pluginPath + " (task: " + taskPath + ")");
                assertFalse(pluginPath.contains(alloc), pluginName(plugin.cmdline()) + " is in a cgroup of the allocation: " + pluginPath);
            }
        }
    }

    /** Controllers ("memory", "cpu,cpuacct", "" for cgroup v2) to the process's path in that hierarchy. */
    private static Map<String, String> hierarchies(int pid) {
        var out = new TreeMap<String, String>();
        for (String line : ProcScan.cgroupLines(pid)) {
            var parts = line.split(":", 3);
            if (parts.length == 3) out.put(parts[1], parts[2]);
        }
        return out;
    }

    private static String pluginName(String cmdline) {
        var args = cmdline.split(" ");
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals("dev.drover.sdk.plugin.PluginMain")) return args[i + 1];
        }
        return "?";
    }
}
