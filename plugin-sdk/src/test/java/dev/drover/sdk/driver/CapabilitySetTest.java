package dev.drover.sdk.driver;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CapabilitySetTest {
    static final List<String> NOMAD_13 = List.of("CAP_AUDIT_WRITE", "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FOWNER",
            "CAP_FSETID", "CAP_KILL", "CAP_MKNOD", "CAP_NET_BIND_SERVICE", "CAP_SETFCAP", "CAP_SETGID", "CAP_SETPCAP",
            "CAP_SETUID", "CAP_SYS_CHROOT");

    @Test
    void nomadDefaultsAreExactlyTheThirteen() {
        assertEquals(NOMAD_13, List.copyOf(CapabilitySet.NOMAD_DEFAULTS));
        // Docker's default CapEff is a80425fb; Nomad's is the same without NET_RAW (bit 13).
        assertEquals(0xa80425fbL & ~(1L << 13), CapabilitySet.bitmask(CapabilitySet.NOMAD_DEFAULTS));
        assertEquals(0xa80405fbL, CapabilitySet.bitmask(CapabilitySet.NOMAD_DEFAULTS));
    }

    @Test
    void legacySetIsZeroThroughAuditRead() {
        assertEquals(38, CapabilitySet.LEGACY_SUPPORTED.size());
        assertEquals((1L << 38) - 1, CapabilitySet.bitmask(CapabilitySet.LEGACY_SUPPORTED));
        assertTrue(CapabilitySet.LEGACY_SUPPORTED.contains("CAP_AUDIT_READ"));
        for (String newer : List.of("CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE")) {
            assertFalse(CapabilitySet.LEGACY_SUPPORTED.contains(newer), newer);
        }
    }

    @Test
    void numbersMatchLinuxCapabilityH() {
        assertEquals(41, CapabilitySet.NUMBERS.size());
        assertEquals(0, CapabilitySet.number("chown"));
        assertEquals(13, CapabilitySet.number("NET_RAW"));
        assertEquals(21, CapabilitySet.number("cap_sys_admin"));
        assertEquals(24, CapabilitySet.number("CAP_SYS_RESOURCE"));
        assertEquals(27, CapabilitySet.number("mknod"));
        assertEquals(31, CapabilitySet.number("setfcap"));
        assertEquals(37, CapabilitySet.number("audit_read"));
        assertEquals(38, CapabilitySet.number("perfmon"));
        assertEquals(39, CapabilitySet.number("bpf"));
        assertEquals(40, CapabilitySet.number("checkpoint_restore"));
        assertEquals(1L << 40 | 1L << 39, CapabilitySet.bitmask(List.of("bpf", "CAP_CHECKPOINT_RESTORE")));
    }

    @Test
    void normalizesCaseAndPrefix() {
        for (String spelling : List.of("chown", "CHOWN", "cap_chown", "CAP_CHOWN", "Cap_Chown", " chown ")) {
            assertEquals("CAP_CHOWN", CapabilitySet.normalize(spelling), spelling);
        }
        assertEquals(List.of("CAP_KILL", "CAP_NET_RAW"), List.copyOf(CapabilitySet.normalizeAll(List.of("net_raw", "KILL", "cap_kill"))));
    }

    @Test
    void unknownNamesAreRejectedWithTheNameAndWhatIsAllowed() {
        var e = assertThrows(IllegalArgumentException.class, () -> CapabilitySet.normalize("cap_fly"));
        assertTrue(e.getMessage().contains("\"cap_fly\""), e.getMessage());
        assertTrue(e.getMessage().contains("CAP_CHOWN") && e.getMessage().contains("net_raw"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> CapabilitySet.normalize("all"));
        assertThrows(IllegalArgumentException.class, () -> CapabilitySet.normalize(""));
        assertThrows(IllegalArgumentException.class, () -> CapabilitySet.normalize("CAP_"));
        var inCalc = assertThrows(IllegalArgumentException.class,
                () -> CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS, List.of(), List.of("bogus")));
        assertTrue(inCalc.getMessage().contains("\"bogus\""), inCalc.getMessage());
    }

    @Test
    void defaultsPassThroughUnchanged() {
        var caps = CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS, List.of(), List.of());
        assertEquals(NOMAD_13, caps);
    }

    @Test
    void capAddOutsideAllowCapsFailsWithNomadsText() {
        var e = assertThrows(IllegalArgumentException.class, () -> CapabilitySet.calculate(
                CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS, List.of("chown", "SYS_ADMIN", "cap_net_raw"), List.of()));
        assertEquals("driver does not allow the following capabilities: net_raw, sys_admin", e.getMessage());
    }

    @Test
    void capAddInsideAllowCapsIsAdded() {
        var allow = List.of("chown", "net_raw", "kill");
        var caps = CapabilitySet.calculate(List.of("CAP_CHOWN"), allow, List.of("NET_RAW"), List.of());
        assertEquals(List.of("CAP_CHOWN", "CAP_NET_RAW"), caps);
    }

    @Test
    void basisIsIntersectedWithAllowCaps() {
        var caps = CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, List.of("chown", "kill", "sys_admin"), List.of(), List.of());
        assertEquals(List.of("CAP_CHOWN", "CAP_KILL"), caps);
    }

    @Test
    void capDropRemovesAndCapAddWinsOverDrop() {
        var caps = CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS,
                List.of("kill"), List.of("CAP_KILL", "mknod", "setuid", "SETGID"));
        assertTrue(caps.contains("CAP_KILL"), "cap_add is applied after cap_drop");
        assertFalse(caps.contains("CAP_MKNOD"));
        assertFalse(caps.contains("CAP_SETUID"));
        assertFalse(caps.contains("CAP_SETGID"));
        assertEquals(10, caps.size());
    }

    @Test
    void dropAllLeavesOnlyTheAdds() {
        assertEquals(List.of(), CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS, List.of(), List.of("ALL")));
        assertEquals(List.of("CAP_CHOWN"), CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS,
                List.of("chown"), List.of("all")));
    }

    @Test
    void allowAllPermitsAnyAdd() {
        var caps = CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, List.of("all"), List.of("sys_admin", "bpf"), List.of());
        assertTrue(caps.containsAll(NOMAD_13));
        assertTrue(caps.contains("CAP_SYS_ADMIN") && caps.contains("CAP_BPF"));
        assertEquals(15, caps.size());
        assertEquals(List.copyOf(CapabilitySet.LEGACY_SUPPORTED),
                CapabilitySet.calculate(List.of(), List.of("ALL"), List.of("all"), List.of()));
        var e = assertThrows(IllegalArgumentException.class,
                () -> CapabilitySet.calculate(CapabilitySet.NOMAD_DEFAULTS, CapabilitySet.NOMAD_DEFAULTS, List.of("all"), List.of()));
        assertEquals("driver does not allow the following capabilities: all", e.getMessage());
    }

    @Test
    void resultIsSortedAndUsableInAnIsolation() {
        var caps = CapabilitySet.calculate(Set.of("setuid", "chown", "KILL"), List.of("all"), List.of(), List.of());
        assertEquals(List.of("CAP_CHOWN", "CAP_KILL", "CAP_SETUID"), caps);
        for (String cap : caps) assertTrue(cap.matches("CAP_[A-Z_]+"));
        assertThrows(UnsupportedOperationException.class, () -> caps.add("CAP_BPF"));
    }
}
