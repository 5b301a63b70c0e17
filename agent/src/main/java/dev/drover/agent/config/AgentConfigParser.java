package dev.drover.agent.config;

import dev.drover.agent.jobspec.hcl.HclAttribute;
import dev.drover.agent.jobspec.hcl.HclBlock;
import dev.drover.agent.jobspec.hcl.HclBody;
import dev.drover.agent.jobspec.hcl.HclException;
import dev.drover.agent.jobspec.hcl.HclParser;
import dev.drover.agent.jobspec.hcl.HclValues;
import dev.drover.agent.jobspec.hcl.Pos;
import dev.drover.sdk.Durations;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads an agent config file (HCL, Nomad's agent config names) into {@link ConfigValues}. Unknown
 * names are errors that give {@code file:line:col} and what is allowed.
 * <pre>
 * data_dir  = "/var/lib/drover"
 * bind_addr = "127.0.0.1"
 * ports { http = 4646 }
 * client {
 *   max_kill_timeout = "30s"
 *   chroot_env = { "/bin" = "/bin", "/usr" = "/usr" }   # replaces the default set
 *   drain_on_stop = true     # stop every task before the agent exits
 *   gc_interval   = "1m"     # terminal allocations are collected ...
 *   gc_max_allocs = 50       # ... oldest first while the agent holds more than this
 *   gc_alloc_ttl  = "24h"    # ... and once terminal for this long (0 = never by age)
 * }
 * plugin "raw_exec" { config { enabled = true } }
 * </pre>
 */
public final class AgentConfigParser {
    private static final Set<String> TOP = Set.of("data_dir", "bind_addr", "datacenter", "region", "name", "ports", "plugin", "client",
            "plugin_placement");
    private static final Set<String> PORTS = Set.of("http");
    private static final Set<String> CLIENT = Set.of("enabled", "max_kill_timeout", "start_parallelism", "chroot_env",
            "drain_on_stop", "gc_interval", "gc_max_allocs", "gc_alloc_ttl");
    /** The drivers that build sandboxes; client chroot_env reaches them as their plugin config's chroot_env. */
    static final List<String> CHROOT_DRIVERS = List.of("exec", "java");

    /** What a config file sets; null where it is silent, so flags and defaults can fill in. */
    public record ConfigValues(String dataDir, String bindAddr, Integer httpPort, String datacenter, String region,
                               String name, Duration maxKillTimeout, Map<String, Map<String, Object>> plugins,
                               String placement, Integer startParallelism, Boolean drainOnStop, Duration gcInterval,
                               Integer gcMaxAllocs, Duration gcAllocTtl) {}

    private final List<String> errors = new ArrayList<>();

    public static ConfigValues parse(String filename, String source) {
        return new AgentConfigParser().read(HclParser.parse(filename, source));
    }

    private ConfigValues read(HclBody body) {
        checkNames(body, TOP, "agent config");
        String dataDir = string(body, "data_dir");
        String bindAddr = string(body, "bind_addr");
        String dc = string(body, "datacenter");
        String region = string(body, "region");
        String name = string(body, "name");
        String placement = string(body, "plugin_placement");
        if (placement != null) {
            try {
                dev.drover.sdk.plugin.PluginPlacement.parse(placement);
            } catch (IllegalArgumentException e) {
                error(body.attribute("plugin_placement").get().pos(), e.getMessage());
            }
        }
        Integer http = null;
        for (var ports : body.blocks("ports")) {
            checkNames(ports.body(), PORTS, "ports block");
            var a = ports.body().attribute("http");
            if (a.isPresent()) http = port(a.get());
        }
        Duration maxKill = null;
        Integer startParallelism = null;
        Map<String, Object> chrootEnv = null;
        Boolean drainOnStop = null;
        Duration gcInterval = null, gcAllocTtl = null;
        Integer gcMaxAllocs = null;
        for (var client : body.blocks("client")) {
            checkNames(client.body(), CLIENT, "client block");
            var dos = client.body().attribute("drain_on_stop");
            if (dos.isPresent()) {
                if (plain(dos.get()) instanceof Boolean b) drainOnStop = b;
                else error(dos.get().pos(), "drain_on_stop must be true or false");
            }
            var gma = client.body().attribute("gc_max_allocs");
            if (gma.isPresent()) {
                if (plain(gma.get()) instanceof Long l && l >= 0 && l <= 1_000_000) gcMaxAllocs = l.intValue();
                else error(gma.get().pos(), "gc_max_allocs must be a whole number from 0 to 1000000");
            }
            gcInterval = duration(client.body(), "gc_interval", false, gcInterval);
            gcAllocTtl = duration(client.body(), "gc_alloc_ttl", true, gcAllocTtl);
            var ce = client.body().attribute("chroot_env");
            if (ce.isPresent()) chrootEnv = chrootEnv(ce.get());
            for (var b : client.body().blocks("chroot_env")) {
                error(b.pos(), "chroot_env is a map attribute here: chroot_env = { \"/usr\" = \"/usr\" }");
            }
            var sp = client.body().attribute("start_parallelism");
            if (sp.isPresent()) {
                Object v = plain(sp.get());
                if (v instanceof Long l && l >= 1 && l <= 4096) startParallelism = l.intValue();
                else error(sp.get().pos(), "start_parallelism must be a whole number from 1 to 4096");
            }
            String v = string(client.body(), "max_kill_timeout");
            if (v != null) {
                try {
                    maxKill = Durations.parse(v);
                } catch (IllegalArgumentException e) {
                    error(client.body().attribute("max_kill_timeout").get().pos(), "max_kill_timeout: " + e.getMessage());
                }
            }
        }
        var plugins = new LinkedHashMap<String, Map<String, Object>>();
        for (var plugin : body.blocks("plugin")) readPlugin(plugin, plugins);
        if (chrootEnv != null) {
            // Nomad's client chroot_env replaces the default set; a driver's own plugin config wins.
            for (String driver : CHROOT_DRIVERS) {
                plugins.computeIfAbsent(driver, d -> new LinkedHashMap<>()).putIfAbsent("chroot_env", chrootEnv);
            }
        }
        if (!errors.isEmpty()) throw new IllegalArgumentException(String.join("\n", errors));
        return new ConfigValues(dataDir, bindAddr, http, dc, region, name, maxKill, plugins, placement, startParallelism,
                drainOnStop, gcInterval, gcMaxAllocs, gcAllocTtl);
    }

    /** A duration attribute such as "30s"; {@code previous} when absent or bad (the error is recorded). */
    private Duration duration(HclBody body, String name, boolean zeroAllowed, Duration previous) {
        String v = string(body, name);
        if (v == null) return previous;
        try {
            Duration d = Durations.parse(v);
            if (d.isNegative() || (!zeroAllowed && d.isZero())) {
                error(body.attribute(name).get().pos(), name + " must be " + (zeroAllowed ? "zero or more" : "more than zero") + ", got \"" + v + "\"");
                return previous;
            }
            return d;
        } catch (IllegalArgumentException e) {
            error(body.attribute(name).get().pos(), name + ": " + e.getMessage());
            return previous;
        }
    }

    private void readPlugin(HclBlock plugin, Map<String, Map<String, Object>> plugins) {
        if (plugin.labels().size() != 1) {
            error(plugin.pos(), "plugin block needs exactly one label, the driver name: plugin \"raw_exec\" { ... }");
            return;
        }
        checkNames(plugin.body(), Set.of("config", "args"), "plugin \"" + plugin.labels().getFirst() + "\"");
        var config = new LinkedHashMap<String, Object>();
        for (var c : plugin.body().blocks("config")) {
            try {
                config.putAll(HclValues.toPlain(c.body()));
            } catch (HclException e) {
                errors.add(e.getMessage());
            }
        }
        plugins.put(plugin.labels().getFirst(), config);
    }

    /** {@code chroot_env = { "/host/path" = "/sandbox/path", ... }}: strings only (paths are checked by the drivers). */
    @SuppressWarnings("unchecked")
    private Map<String, Object> chrootEnv(HclAttribute a) {
        Object v = plain(a);
        if (v instanceof Map<?, ?> map && map.values().stream().allMatch(String.class::isInstance)) {
            return java.util.Collections.unmodifiableMap(new LinkedHashMap<>((Map<String, Object>) map));
        }
        if (v != null) {
            error(a.pos(), "chroot_env must be a map of host path to sandbox path, e.g. chroot_env = { \"/usr\" = \"/usr\" }");
        }
        return null;
    }

    private void checkNames(HclBody body, Set<String> allowed, String where) {
        for (var a : body.attributes()) {
            if (!allowed.contains(a.name())) error(a.pos(), "unknown field \"" + a.name() + "\" in " + where + "; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
        for (var b : body.blocks()) {
            if (!allowed.contains(b.type())) error(b.pos(), "unknown block \"" + b.type() + "\" in " + where + "; allowed: " + String.join(", ", new java.util.TreeSet<>(allowed)));
        }
    }

    private String string(HclBody body, String name) {
        var a = body.attribute(name);
        if (a.isEmpty()) return null;
        Object v = plain(a.get());
        if (v instanceof String s) return s;
        error(a.get().pos(), name + " must be a string");
        return null;
    }

    private Integer port(HclAttribute a) {
        Object v = plain(a);
        if (v instanceof Long l && l >= 0 && l <= 65535) return l.intValue();
        error(a.pos(), a.name() + " must be a port number 0-65535");
        return null;
    }

    private Object plain(HclAttribute a) {
        try {
            return HclValues.toPlain(a.value());
        } catch (HclException e) {
            errors.add(e.getMessage());
            return null;
        }
    }

    private void error(Pos pos, String message) {
        errors.add(pos + ": " + message);
    }

    /** Reads a config file from disk. */
    public static ConfigValues load(Path file) throws java.io.IOException {
        return parse(file.toString(), java.nio.file.Files.readString(file));
    }
}
