package dev.drover.agent.job;

import java.time.Duration;
import java.util.List;

/**
 * Nomad's defaults for everything a job file may leave out. The HCL and JSON decoders both take
 * their defaults from here, so the two formats cannot drift apart.
 */
public final class JobDefaults {

    public static final String TYPE = "service";
    public static final String NAMESPACE = "default";
    public static final String REGION = "global";
    public static final List<String> DATACENTERS = List.of("dc1");
    public static final int PRIORITY = 50;
    public static final int COUNT = 1;
    public static final int CPU_MHZ = 100;
    public static final int MEMORY_MB = 300;
    public static final int MEMORY_MAX_MB = 0;
    public static final String USER = "";
    public static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    public static final String KILL_SIGNAL = "";
    public static final Duration SHUTDOWN_DELAY = Duration.ZERO;
    public static final int LOG_MAX_FILES = 10;
    public static final int LOG_MAX_FILE_SIZE_MB = 10;
    public static final String NETWORK_MODE = "host";
    public static final String HOST_NETWORK = "default";

    private static final RestartPolicy SERVICE_RESTART =
            new RestartPolicy(2, Duration.ofMinutes(30), Duration.ofSeconds(15), RestartPolicy.MODE_FAIL);
    private static final RestartPolicy BATCH_RESTART =
            new RestartPolicy(3, Duration.ofHours(24), Duration.ofSeconds(15), RestartPolicy.MODE_FAIL);

    private JobDefaults() {}

    /** The restart policy a group starts from: batch jobs retry more, over a longer interval. */
    public static RestartPolicy restart(String jobType) {
        return jobType.equals("batch") || jobType.equals("sysbatch") ? BATCH_RESTART : SERVICE_RESTART;
    }

    public static Resources resources() {
        return new Resources(CPU_MHZ, MEMORY_MB, MEMORY_MAX_MB);
    }

    public static Logs logs() {
        return new Logs(LOG_MAX_FILES, LOG_MAX_FILE_SIZE_MB, false);
    }
}
