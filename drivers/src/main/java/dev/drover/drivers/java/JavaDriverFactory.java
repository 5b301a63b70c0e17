package dev.drover.drivers.java;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.TaskDriver;

public final class JavaDriverFactory implements DriverFactory {
    @Override
    public String name() {
        return JavaDriver.NAME;
    }

    @Override
    public TaskDriver create(DriverContext context) {
        return new JavaDriver(context);
    }
}
