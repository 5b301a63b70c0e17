package dev.drover.drivers.exec;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.TaskDriver;

public final class ExecDriverFactory implements DriverFactory {
    @Override
    public String name() {
        return ExecDriver.NAME;
    }

    @Override
    public TaskDriver create(DriverContext context) {
        return new ExecDriver(context);
    }
}
