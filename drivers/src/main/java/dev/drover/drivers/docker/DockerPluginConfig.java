package dev.drover.drivers.docker;

import dev.drover.sdk.DroverException;
import dev.drover.sdk.driver.CapabilitySet;
import dev.drover.sdk.driver.ConfigReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code plugin "docker" { config { … } }} of the agent config (Nomad's names and defaults).
 *
 * @param endpoint        the engine's socket, {@code unix:///var/run/docker.sock} by default
 * @param allowPrivileged whether tasks may set {@code privileged = true}
 * @param allowCaps       what cap_add may ask for; Docker's default set (Nomad's default, with net_raw)
 * @param gcImage         remove an image once no task uses it ({@code gc { image = true }})
 * @param imageDelay      how long an unused image is kept ({@code gc { image_delay = "3m" }})
 * @param volumesEnabled  whether volumes/mounts may name host paths outside the task dir and named volumes
 */
public record DockerPluginConfig(String endpoint, boolean allowPrivileged, List<String> allowCaps,
                                 boolean gcImage, Duration imageDelay, boolean volumesEnabled) {
    public static final Set<String> FIELDS = Set.of("endpoint", "allow_privileged", "allow_caps", "gc", "volumes");
    public static final String DEFAULT_ENDPOINT = "unix:///var/run/docker.sock";
    public static final Duration DEFAULT_IMAGE_DELAY = Duration.ofMinutes(3);

    /** Docker's default capabilities: Nomad's defaults plus NET_RAW. */
    public static final List<String> DOCKER_DEFAULT_CAPS = dockerDefaults();

    public DockerPluginConfig {
        allowCaps = List.copyOf(allowCaps);
    }

    public static DockerPluginConfig read(Map<String, Object> values) {
        String where = "plugin \"docker\" config";
        var c = new ConfigReader(where, values).allowOnly(FIELDS);
        String endpoint = c.string("endpoint", DEFAULT_ENDPOINT);
        if (!endpoint.startsWith("unix:///") && !endpoint.startsWith("/")) {
            throw DroverException.invalid(where + ".endpoint: \"" + endpoint + "\" is not supported; use a unix socket such as "
                    + DEFAULT_ENDPOINT);
        }
        List<String> allow = values.containsKey("allow_caps") ? c.stringList("allow_caps") : DOCKER_DEFAULT_CAPS;
        for (String cap : allow) {
            if (cap.equalsIgnoreCase(CapabilitySet.ALL)) continue;
            try {
                CapabilitySet.normalize(cap);
            } catch (IllegalArgumentException e) {
                throw DroverException.invalid(where + ".allow_caps: " + e.getMessage());
            }
        }
        var gc = DockerTaskConfig.single(where + ".gc", values.get("gc"));
        var gcReader = new ConfigReader(where + ".gc", gc).allowOnly(Set.of("image", "image_delay"));
        Duration delay = gcReader.duration("image_delay", DEFAULT_IMAGE_DELAY);
        if (delay.isNegative()) throw DroverException.invalid(where + ".gc.image_delay: must not be negative");
        var volumes = DockerTaskConfig.single(where + ".volumes", values.get("volumes"));
        var volumesReader = new ConfigReader(where + ".volumes", volumes).allowOnly(Set.of("enabled"));
        return new DockerPluginConfig(endpoint, c.bool("allow_privileged", false), allow,
                gcReader.bool("image", true), delay, volumesReader.bool("enabled", false));
    }

    private static List<String> dockerDefaults() {
        var caps = new ArrayList<String>();
        for (String cap : CapabilitySet.NOMAD_DEFAULTS) caps.add(cap.substring(4).toLowerCase(Locale.ROOT));
        caps.add("net_raw");
        return List.copyOf(caps);
    }
}
