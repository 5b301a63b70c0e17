package dev.drover.sdk.driver;

import java.util.Map;

/** Network facts only known once the driver started the task (container IP, port map). */
public record DriverNetwork(Map<String, Integer> portMap, String ip, boolean autoAdvertise) {
    public DriverNetwork {
        portMap = Map.copyOf(portMap);
        ip = ip == null ? "" : ip;
    }
}
