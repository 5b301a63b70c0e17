package dev.drover.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.cli.FakeAgent.Result;
import org.junit.jupiter.api.Test;

/** `alloc status` shows a task's DriverNetwork (what the driver returned from StartTask). */
class AllocStatusNetworkTest {
    static final String ID = "7f3c37b5-7a3e-4c1f-9d2a-0123456789ab";
    static final long S = 1_000_000_000L;
    static final long T = 1704164640L * S;

    static final String NONE = "{\"IP\":\"\",\"AutoAdvertise\":false,\"PortMap\":{}}";

    static String alloc(String webNetwork, String sideNetwork) {
        return """
                {"ID":"%s","Name":"example.web[0]","Namespace":"default","JobID":"example","TaskGroup":"web",
                 "DesiredStatus":"run","ClientStatus":"running","CreateTime":%d,"ModifyTime":%d,
                 "TaskStates":{
                   "web":{"State":"running","Failed":false,"Restarts":0,"LastRestart":0,"StartedAt":%d,"FinishedAt":0,
                     "Events":[{"Type":"Started","Time":%d,"DisplayMessage":"Task started by client"}]%s},
                   "side":{"State":"running","Failed":false,"Restarts":0,"LastRestart":0,"StartedAt":%d,"FinishedAt":0,
                     "Events":[{"Type":"Started","Time":%d,"DisplayMessage":"Task started by client"}]%s}}}
                """.formatted(ID, T, T + S, T + S, T + S, network(webNetwork), T + S, T + S, network(sideNetwork));
    }

    private static String network(String json) {
        return json.isEmpty() ? "" : ",\"DriverNetwork\":" + json;
    }

    @Test
    void showsTheContainerIpAndPortMapUnderTheTask() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/7f3c",
                    alloc("{\"IP\":\"127.0.0.7\",\"AutoAdvertise\":false,\"PortMap\":{\"http\":8080,\"db\":5432}}", NONE));

            Result r = agent.run("alloc", "status", "7f3c");

            assertEquals(0, r.code(), r.err());
            assertTrue(r.out().contains("""
                    Task "web" is "running"
                    Task Events:
                    Started At     = 2024-01-02T03:04:01Z
                    Finished At    = N/A
                    Total Restarts = 0
                    Last Restart   = N/A

                    Driver Network:
                    IP       = 127.0.0.7
                    Port Map = db -> 5432, http -> 8080

                    Recent Events:
                    """), r.out());
            // a driver network without address or ports (network_mode = "none") still says so
            assertTrue(r.out().contains("""
                    Driver Network:
                    IP       = N/A
                    Port Map = N/A
                    """), r.out());
        }
    }

    @Test
    void noDriverNetworkNoSection() throws Exception {
        try (FakeAgent agent = new FakeAgent()) {
            agent.onJson("GET", "/v1/allocation/7f3c", alloc("", ""));
            Result r = agent.run("alloc", "status", "7f3c");
            assertEquals(0, r.code(), r.err());
            assertFalse(r.out().contains("Driver Network"), r.out());
        }
    }
}
