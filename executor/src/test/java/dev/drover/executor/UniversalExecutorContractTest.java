package dev.drover.executor;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Executor;

/** The executor contract against the universal executor: plain host processes. */
class UniversalExecutorContractTest extends ExecutorContract {
    private static final UniversalExecutor EXECUTOR = new UniversalExecutor();

    @Override
    Executor executor() {
        return EXECUTOR;
    }

    @Override
    ExecCommand adapt(ExecCommand command) {
        return command;
    }

    @Override
    String visibleTaskDir(TaskFixture task) {
        return task.taskDir.toString();
    }

    @Override
    Cgroups cgroups() {
        return EXECUTOR.cgroups();
    }
}
