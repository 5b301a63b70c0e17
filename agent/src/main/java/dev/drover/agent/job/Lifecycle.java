package dev.drover.agent.job;

import java.util.List;
import java.util.Objects;

/**
 * When a task runs relative to the group's main tasks.
 *
 * @param hook "prestart" (before main tasks), "poststart" (after they started) or "poststop"
 *     (after they stopped)
 * @param sidecar keep the task running alongside the main tasks instead of running it to completion
 */
public record Lifecycle(String hook, boolean sidecar) {

    public static final List<String> HOOKS = List.of("prestart", "poststart", "poststop");

    public Lifecycle {
        Objects.requireNonNull(hook, "hook");
        new Checks()
                .check(HOOKS.contains(hook), "hook",
                        "hook must be one of prestart, poststart, poststop, got " + Checks.quote(hook))
                .throwIfAny();
    }
}
