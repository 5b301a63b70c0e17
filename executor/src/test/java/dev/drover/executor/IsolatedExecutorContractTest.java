package dev.drover.executor;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Executor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** The executor contract against the isolated executor, once with crun and once with runc. */
class IsolatedExecutorContractTest {
    private static final Cgroups CGROUPS = Cgroups.detect();
    private static final IsolatedExecutor EXECUTOR = new IsolatedExecutor(CGROUPS, Spawner.withTempDir());

    abstract static class WithRuntime extends ExecutorContract {
        abstract String runtime();

        @Override
        Executor executor() {
            return EXECUTOR;
        }

        @Override
        ExecCommand adapt(ExecCommand command) {
            return IsolatedFixture.isolate(command, IsolatedFixture.isolation(runtime()));
        }

        @Override
        String visibleTaskDir(TaskFixture task) {
            return ""; // the task dir is the sandbox's root
        }

        @Override
        Cgroups cgroups() {
            return CGROUPS;
        }
    }

    @Nested
    class Crun extends WithRuntime {
        @BeforeAll
        static void prerequisites() {
            IsolatedFixture.assertRuntimeUsable("crun");
        }

        @Override
        String runtime() {
            return "crun";
        }
    }

    @Nested
    class Runc extends WithRuntime {
        @BeforeAll
        static void prerequisites() {
            IsolatedFixture.assertRuntimeUsable("runc");
        }

        @Override
        String runtime() {
            return "runc";
        }
    }
}
