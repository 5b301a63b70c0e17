package dev.drover.drivers.rawexec;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.TaskDriver;

public final class RawExecDriverFactory implements DriverFactory {
    @Override
    public String name() {
        return RawExecDriver.NAME;
    }

    @Override
    public TaskDriver create(DriverContext context) {
        return new RawExecDriver(context);
    }
}
