package dev.drover.drivers.mock;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.TaskDriver;

public final class MockDriverFactory implements DriverFactory {
    @Override
    public String name() {
        return MockDriver.NAME;
    }

    @Override
    public TaskDriver create(DriverContext context) {
        return new MockDriver(context);
    }
}
