package dev.drover.drivers.docker;

import dev.drover.sdk.driver.DriverContext;
import dev.drover.sdk.driver.DriverFactory;
import dev.drover.sdk.driver.TaskDriver;

public final class DockerDriverFactory implements DriverFactory {
    @Override
    public String name() {
        return DockerDriver.NAME;
    }

    @Override
    public TaskDriver create(DriverContext context) {
        return new DockerDriver(context);
    }
}
