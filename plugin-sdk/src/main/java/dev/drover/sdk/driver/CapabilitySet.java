package dev.drover.sdk.driver;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Linux capability names and Nomad's rules for a task's capability set
 * (drivers/shared/capabilities). Names are accepted in any case with or without the {@code CAP_}
 * prefix; everything this class returns is in the OCI spec's form, upper case with the prefix
 * ({@code CAP_CHOWN}), sorted. Drivers use it to turn {@code allow_caps}/{@code cap_add}/{@code
 * cap_drop} into the list that goes into {@link dev.drover.sdk.executor.Isolation#capabilities()}.
 */
public final class CapabilitySet {
    /** The sentinel Nomad accepts in {@code allow_caps} and {@code cap_drop}: every capability. */
    public static final String ALL = "all";

    /** Capability numbers from linux/capability.h, keyed by the bare upper-case name. */
    public static final Map<String, Integer> NUMBERS = numbers(
            "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
            "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
            "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
            "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
            "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
            "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE");

    /** Nomad's default set (exec's default {@code allow_caps}): Docker's default without NET_RAW. */
    public static final SortedSet<String> NOMAD_DEFAULTS = normalizeAll(List.of(
            "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
            "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"));

    /**
     * The set a root task gets: every capability up to CAP_AUDIT_READ (0..37). Nomad stops there
     * because its libcontainer predates PERFMON, BPF and CHECKPOINT_RESTORE.
     */
    public static final SortedSet<String> LEGACY_SUPPORTED = legacy();

    private static final int LAST_LEGACY = 37;

    private CapabilitySet() {}

    /**
     * Canonical OCI form of one name: "chown", "cap_chown" and "CAP_CHOWN" all give "CAP_CHOWN".
     *
     * @throws IllegalArgumentException for a name Linux does not define (and for "all", which is
     *                                  a set, not a capability)
     */
    public static String normalize(String name) {
        String bare = bare(name);
        if (!NUMBERS.containsKey(bare)) {
            throw new IllegalArgumentException("unknown capability \"" + name + "\": expected a Linux capability name"
                    + " in any case, with or without the CAP_ prefix (e.g. chown or CAP_CHOWN), one of: "
                    + String.join(", ", NUMBERS.keySet()).toLowerCase(Locale.ROOT));
        }
        return "CAP_" + bare;
    }

    /** Normalizes every name; the result is sorted and free of duplicates. */
    public static SortedSet<String> normalizeAll(Collection<String> names) {
        var out = new TreeSet<String>();
        for (String name : names) out.add(normalize(name));
        return Collections.unmodifiableSortedSet(out);
    }

    /** The capability's number (its bit in /proc/PID/status CapEff), for any accepted spelling. */
    public static int number(String name) {
        return NUMBERS.get(bare(normalize(name)));
    }

    /** The bit mask of a set, comparable with the hex in /proc/PID/status (CapEff, CapBnd ...). */
    public static long bitmask(Collection<String> names) {
        long mask = 0;
        for (String name : names) mask |= 1L << number(name);
        return mask;
    }

    /**
     * Nomad's Calculate: the capabilities a task ends up with.
     * <pre>result = (basis ∩ allowCaps) − capDrop ∪ capAdd</pre>
     * "all" in {@code allowCaps} allows everything; "all" in {@code capDrop} drops all of the basis
     * (cap_add still applies). "all" in {@code capAdd} adds {@link #LEGACY_SUPPORTED} and is only
     * accepted when {@code allowCaps} contains "all".
     *
     * @param basis     the driver's default set, usually {@link #NOMAD_DEFAULTS}
     * @param allowCaps the driver's {@code allow_caps}
     * @param capAdd    the task's {@code cap_add}
     * @param capDrop   the task's {@code cap_drop}
     * @return the sorted set in OCI form
     * @throws IllegalArgumentException if cap_add asks for a capability allow_caps does not allow,
     *                                  with Nomad's message, or for an unknown name
     */
    public static List<String> calculate(Collection<String> basis, Collection<String> allowCaps,
                                         Collection<String> capAdd, Collection<String> capDrop) {
        boolean allowAll = containsAll(allowCaps);
        SortedSet<String> allow = allowAll ? Collections.emptySortedSet() : normalizeAll(allowCaps);

        // Checked before anything else so the message lists every refused cap, in Nomad's wording.
        var missing = new TreeSet<String>();
        var adds = new TreeSet<String>();
        for (String name : capAdd) {
            if (isAll(name)) {
                if (allowAll) adds.addAll(LEGACY_SUPPORTED);
                else missing.add(ALL);
                continue;
            }
            String cap = normalize(name);
            if (allowAll || allow.contains(cap)) adds.add(cap);
            else missing.add(bare(cap).toLowerCase(Locale.ROOT));
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("driver does not allow the following capabilities: " + String.join(", ", missing));
        }

        var result = new TreeSet<String>();
        for (String cap : normalizeAll(basis)) {
            if (allowAll || allow.contains(cap)) result.add(cap);
        }
        if (containsAll(capDrop)) result.clear();
        else result.removeAll(normalizeAll(capDrop));
        result.addAll(adds);
        return List.copyOf(result);
    }

    private static boolean containsAll(Collection<String> names) {
        for (String name : names) {
            if (isAll(name)) return true;
        }
        return false;
    }

    private static boolean isAll(String name) {
        return name != null && name.trim().equalsIgnoreCase(ALL);
    }

    private static String bare(String name) {
        if (name == null) throw new IllegalArgumentException("capability name is null");
        String upper = name.trim().toUpperCase(Locale.ROOT);
        return upper.startsWith("CAP_") ? upper.substring(4) : upper;
    }

    private static Map<String, Integer> numbers(String... names) {
        var map = new LinkedHashMap<String, Integer>();
        for (int i = 0; i < names.length; i++) map.put(names[i], i);
        return Collections.unmodifiableMap(map);
    }

    private static SortedSet<String> legacy() {
        var names = new ArrayList<String>();
        NUMBERS.forEach((name, number) -> {
            if (number <= LAST_LEGACY) names.add(name);
        });
        return normalizeAll(names);
    }
}
