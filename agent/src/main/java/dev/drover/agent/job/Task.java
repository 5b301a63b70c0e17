package dev.drover.agent.job;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One unit of work, run by a driver.
 *
 * @param user the user to run as; "" = the driver's default
 * @param config the driver's free-form settings as plain values: String, Long, Double, Boolean,
 *     List and Map (in file order). A nested block {@code mount { ... }} becomes a list of maps
 *     under "mount", one map per block; a block's labels are stored under the key "label" (a
 *     String for one label, a list for several). Nulls are not allowed.
 * @param restart the effective policy: the task's own settings over the group's
 * @param killSignal the signal sent before killing; "" = the driver's default
 * @param lifecycle null for a main task
 * @param leader when a leader task exits, the other tasks of the group are stopped
 * @param shutdownDelay wait between deregistering services and killing the task
 */
public record Task(String name, String driver, String user, Map<String, Object> config, Map<String, String> env,
                   Map<String, String> meta, Resources resources, RestartPolicy restart, Duration killTimeout,
                   String killSignal, Logs logs, Lifecycle lifecycle, boolean leader, Duration shutdownDelay) {

    public Task {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(driver, "driver");
        Objects.requireNonNull(user, "user");
        config = ConfigValues.freeze(Objects.requireNonNull(config, "config"));
        env = Checks.orderedCopy(env, "env");
        meta = Checks.orderedCopy(meta, "meta");
        Objects.requireNonNull(resources, "resources");
        Objects.requireNonNull(restart, "restart");
        Objects.requireNonNull(killTimeout, "killTimeout");
        Objects.requireNonNull(killSignal, "killSignal");
        Objects.requireNonNull(logs, "logs");
        Objects.requireNonNull(shutdownDelay, "shutdownDelay");
        new Checks()
                .check(!name.isBlank(), "name", "task name must not be blank")
                .check(!name.contains("/"), "name", "task name " + Checks.quote(name) + " must not contain '/'")
                .check(!driver.isBlank(), "driver", "task " + Checks.quote(name) + " has no driver")
                .check(!killTimeout.isNegative(), "killTimeout", "kill_timeout must not be negative")
                .check(!shutdownDelay.isNegative(), "shutdownDelay", "shutdown_delay must not be negative")
                .throwIfAny();
    }
}
