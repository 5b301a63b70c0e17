package dev.drover.executor;

import dev.drover.sdk.executor.ExecCommand;
import dev.drover.sdk.executor.Executor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;

/** Interactive exec against the universal executor and the isolated one on crun. */
class StreamingExecTest {
    private static final Cgroups CGROUPS = Cgroups.detect();
    private static final Spawner SPAWNER = Spawner.withTempDir();

    @Nested
    class Universal extends StreamingExecContract {
        private static final UniversalExecutor EXECUTOR = new UniversalExecutor(CGROUPS, SPAWNER);

        @Override
        Executor executor() {
            return EXECUTOR;
        }

        @Override
        ExecCommand adapt(ExecCommand command) {
            return command;
        }
    }

    @Nested
    class IsolatedCrun extends StreamingExecContract {
        private static final IsolatedExecutor EXECUTOR = new IsolatedExecutor(CGROUPS, SPAWNER);

        @BeforeAll
        static void prerequisites() {
            IsolatedFixture.assertRuntimeUsable("crun");
        }

        @Override
        Executor executor() {
            return EXECUTOR;
        }

        @Override
        ExecCommand adapt(ExecCommand command) {
            return IsolatedFixture.isolate(command, IsolatedFixture.isolation("crun"));
        }
    }
}
