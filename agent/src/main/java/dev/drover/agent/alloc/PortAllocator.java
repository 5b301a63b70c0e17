package dev.drover.agent.alloc;

import dev.drover.sdk.DroverException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Hands out host ports on the agent's host IP: static ports as asked, dynamic ports from Nomad's
 * default range 20000–32000. A port is only handed out if nothing on the host listens on it.
 */
public final class PortAllocator {
    public static final int MIN_DYNAMIC = 20000;
    public static final int MAX_DYNAMIC = 32000;

    private final String hostIp;
    private final Set<Integer> used = new HashSet<>();

    public PortAllocator(String hostIp) {
        this.hostIp = hostIp;
    }

    public String hostIp() {
        return hostIp;
    }

    public synchronized int reserveStatic(int port) {
        if (used.contains(port) || !free(port)) {
            throw DroverException.invalid("static port " + port + " is already in use on " + hostIp);
        }
        used.add(port);
        return port;
    }

    public synchronized int reserveDynamic() {
        for (int attempt = 0; attempt < 200; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(MIN_DYNAMIC, MAX_DYNAMIC + 1);
            if (!used.contains(port) && free(port)) {
                used.add(port);
                return port;
            }
        }
        throw DroverException.internal("no free dynamic port in " + MIN_DYNAMIC + "-" + MAX_DYNAMIC + " on " + hostIp, null);
    }

    /** Marks ports of a restored allocation as taken. */
    public synchronized void markUsed(int port) {
        used.add(port);
    }

    public synchronized void release(int port) {
        used.remove(port);
    }

    private boolean free(int port) {
        try (var socket = new ServerSocket()) {
            socket.setReuseAddress(false);
            socket.bind(new InetSocketAddress(InetAddress.getByName(hostIp), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
