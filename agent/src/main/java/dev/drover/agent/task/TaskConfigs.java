package dev.drover.agent.task;

import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.driver.TaskConfig;
import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/** Builds the {@link TaskConfig} the driver receives for one start attempt. */
public final class TaskConfigs {
    private TaskConfigs() {}

    /** A fresh TaskConfig for a start attempt: a new id every time (Nomad's rule). */
    public static TaskConfig forAttempt(TaskContext c) {
        String id = c.taskKey() + "/" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
        var res = c.task.resources();
        return new TaskConfig(id, c.job.namespace(), c.job.id(), c.job.name(), c.group.name(), c.task.name(),
                c.alloc.id(), c.alloc.name(), c.task.user(), c.env().env(),
                new Resources(res.cpu(), res.memoryMB(), res.memoryMaxMB()),
                c.driverConfig, c.allocDir.root().toString(), c.stdoutPath, c.stderrPath, c.alloc.ports());
    }
}
