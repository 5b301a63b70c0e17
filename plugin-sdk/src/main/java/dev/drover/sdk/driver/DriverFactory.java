package dev.drover.sdk.driver;

/** Creates a driver by name; the agent's registry lists these in one place. */
public interface DriverFactory {
    String name();

    TaskDriver create(DriverContext context);
}
