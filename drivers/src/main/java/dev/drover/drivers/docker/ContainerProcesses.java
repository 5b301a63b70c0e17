package dev.drover.drivers.docker;

import dev.drover.sdk.nativ.Native;
import dev.drover.sdk.proc.ProcStat;
import dev.drover.sdk.proc.ProcessIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Kills what an abandoned docker exec runs. The Engine API cannot: it has no call to end an exec,
 * and an exec keeps running when its client goes away. The engine reports the exec's host pid; we
 * share the host with it (the endpoint is a unix socket), and signal only processes whose cgroup
 * names the container, so a pid seen from another pid namespace, or reused, is left alone.
 */
final class ContainerProcesses {
    private ContainerProcesses() {}

    /**
     * SIGKILLs {@code pid}, its descendants and, when it leads a session (a TTY exec does), the
     * session's other members: what a shell left in the background. A few rounds, since a process
     * may fork while we look.
     */
    static void killExec(String containerId, int pid) {
        boolean leader = session(pid) == pid;
        for (int round = 0; round < 3; round++) {
            var targets = new LinkedHashSet<Integer>();
            if (inContainer(pid, containerId)) targets.add(pid);
            ProcessHandle.of(pid).ifPresent(p -> p.descendants().forEach(d -> targets.add((int) d.pid())));
            if (leader) targets.addAll(sessionMembers(pid));
            targets.removeIf(p -> !inContainer(p, containerId));
            if (targets.isEmpty()) return;
            for (int p : targets) ProcessIdentity.of(p).ifPresent(id -> id.signal(Native.SIGKILL));
        }
    }

    private static Set<Integer> sessionMembers(int sid) {
        var members = new LinkedHashSet<Integer>();
        ProcessHandle.allProcesses().forEach(p -> {
            if (session((int) p.pid()) == sid) members.add((int) p.pid());
        });
        return members;
    }

    /** The session id of a live process, -1 when there is none. */
    private static int session(int pid) {
        try {
            return ProcStat.read(pid).filter(s -> s.state() != 'Z').map(ProcStat::session).orElse(-1);
        } catch (RuntimeException vanished) {
            return -1; // exited while we read it
        }
    }

    /** True when /proc/PID/cgroup names the container (cgroupfs: /docker/ID, systemd: docker-ID.scope). */
    static boolean inContainer(int pid, String containerId) {
        try {
            return Files.readString(Path.of("/proc", Integer.toString(pid), "cgroup")).contains(containerId);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
