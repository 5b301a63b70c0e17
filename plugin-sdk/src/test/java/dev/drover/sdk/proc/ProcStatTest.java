package dev.drover.sdk.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.drover.sdk.Durations;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcStatTest {
    @Test
    void parsesCommandNamesWithSpacesAndParens() {
        String line = "4242 (we (ird) name) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000 250 18446744073709551615";
        var st = ProcStat.parse(line);
        assertEquals(4242, st.pid());
        assertEquals('S', st.state());
        assertEquals(1, st.ppid());
        assertEquals(4242, st.pgrp());
        assertEquals(7, st.utimeTicks());
        assertEquals(3, st.stimeTicks());
        assertEquals(123456, st.startTicks());
        assertEquals(250, st.rssPages());
    }

    @Test
    void identityOfARunningProcessAndAfterItExits() throws Exception {
        var p = new ProcessBuilder("sleep", "30").start();
        var id = ProcessIdentity.of((int) p.pid()).orElseThrow();
        assertTrue(id.isAlive());
        var other = new ProcessIdentity(id.pid(), id.startTicks() + 1, id.bootId());
        assertFalse(other.isAlive(), "a different start time is a different process");
        assertFalse(other.signal(9), "never signal a process that is not the recorded one");
        assertTrue(p.isAlive());
        assertTrue(id.signal(9));
        p.waitFor();
        assertFalse(id.isAlive());
    }

    @Test
    void signalNames() {
        assertEquals(15, Signals.require("SIGTERM"));
        assertEquals(1, Signals.require("hup"));
        assertEquals(9, Signals.require("9"));
        var e = assertThrows(IllegalArgumentException.class, () -> Signals.require("SIGNOPE"));
        assertTrue(e.getMessage().contains("SIGNOPE"));
    }

    @Test
    void goDurations() {
        assertEquals(Duration.ofSeconds(90), Durations.parse("1m30s"));
        assertEquals(Duration.ofMillis(250), Durations.parse("250ms"));
        assertEquals(Duration.ofMinutes(90), Durations.parse("1.5h"));
        assertEquals(Duration.ZERO, Durations.parse("0"));
        var e = assertThrows(IllegalArgumentException.class, () -> Durations.parse("10 seconds"));
        assertTrue(e.getMessage().contains("10 seconds"));
        assertEquals("1m30s", Durations.format(Duration.ofSeconds(90)));
        assertEquals("250ms", Durations.format(Duration.ofMillis(250)));
        assertEquals("15s", Durations.format(Duration.ofSeconds(15)));
    }
}
