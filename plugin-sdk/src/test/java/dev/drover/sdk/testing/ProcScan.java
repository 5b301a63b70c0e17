package dev.drover.sdk.testing;

import dev.drover.sdk.proc.ProcStat;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test helper: finds processes by scanning /proc — never by trusting a pid file — so "nothing was
 * left behind" is checked against what the kernel actually runs. Zombies count as left behind.
 */
public final class ProcScan {
    private ProcScan() {}

    /** A process seen in /proc. */
    public record Proc(int pid, int ppid, char state, String cmdline) {}

    public static List<Proc> all() {
        var out = new ArrayList<Proc>();
        try (var entries = Files.list(Path.of("/proc"))) {
            for (var p : entries.toList()) {
                String name = p.getFileName().toString();
                if (name.isEmpty() || !Character.isDigit(name.charAt(0))) continue;
                int pid = Integer.parseInt(name);
                var stat = ProcStat.read(pid);
                if (stat.isEmpty()) continue;
                String cmd;
                try {
                    cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ').trim();
                } catch (IOException e) {
                    continue;
                }
                out.add(new Proc(pid, stat.get().ppid(), stat.get().state(), cmd));
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot list /proc", e);
        }
        return out;
    }

    /** Processes whose command line contains {@code marker} (a zombie's is empty: see zombieChildrenOf). */
    public static List<Proc> withCmdline(String marker) {
        return all().stream().filter(p -> p.cmdline().contains(marker)).toList();
    }

    /** Zombie children of a pid. */
    public static List<Proc> zombieChildrenOf(long pid) {
        return all().stream().filter(p -> p.ppid() == pid && p.state() == 'Z').toList();
    }

    /** Polls until no process matches, or fails after the timeout with the processes still there. */
    public static void awaitGone(String marker, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        List<Proc> left;
        while (!(left = withCmdline(marker)).isEmpty()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("processes still running after " + timeoutMillis + " ms: " + left);
            }
            Thread.sleep(50);
        }
    }
}
