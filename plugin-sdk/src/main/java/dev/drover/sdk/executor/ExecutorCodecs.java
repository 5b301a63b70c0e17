package dev.drover.sdk.executor;

import dev.drover.sdk.driver.ResourceUsage;
import dev.drover.sdk.driver.Resources;
import dev.drover.sdk.rpc.Codec;
import dev.drover.sdk.rpc.Json;
import java.util.Base64;

/**
 * Wire codecs of the records the executor protocol carries ({@link ExecutorProtocol} has those of its own
 * request records). One line per record component: a component added to a record must be added here too,
 * {@code ProtocolCodecTest} fails until it is.
 */
public final class ExecutorCodecs {
    private ExecutorCodecs() {}

    public static final Codec<Resources> RESOURCES = Codec.object(
            r -> Json.object("cpuMhz", r.cpuMhz(), "memoryMB", r.memoryMB(), "memoryMaxMB", r.memoryMaxMB()),
            o -> new Resources(o.intValue("cpuMhz"), o.intValue("memoryMB"), o.intValue("memoryMaxMB")));

    public static final Codec<Isolation.BindMount> BIND_MOUNT = Codec.object(
            m -> Json.object("source", m.source(), "target", m.target(), "readOnly", m.readOnly()),
            o -> new Isolation.BindMount(o.string("source"), o.string("target"), o.bool("readOnly")));

    public static final Codec<Isolation> ISOLATION = Codec.object(
            i -> Json.object("runtime", i.runtime(), "mounts", Codec.listOf(BIND_MOUNT).encode(i.mounts()),
                    "pidMode", i.pidMode().name(), "ipcMode", i.ipcMode().name(), "capabilities", i.capabilities(),
                    "noPivotRoot", i.noPivotRoot(), "pidsLimit", i.pidsLimit()),
            o -> new Isolation(o.string("runtime"), o.list("mounts", BIND_MOUNT), o.enumValue("pidMode", Isolation.Mode::valueOf),
                    o.enumValue("ipcMode", Isolation.Mode::valueOf), o.strings("capabilities"), o.bool("noPivotRoot"),
                    o.longValue("pidsLimit")));

    public static final Codec<ExecCommand> EXEC_COMMAND = Codec.object(
            c -> Json.object("cmd", c.cmd(), "args", c.args(), "env", c.env(), "user", c.user(), "taskDir", c.taskDir(),
                    "workDir", c.workDir(), "stdoutPath", c.stdoutPath(), "stderrPath", c.stderrPath(),
                    "resources", RESOURCES.encode(c.resources()), "cgroup", c.cgroup(), "isolation", ISOLATION.encode(c.isolation())),
            o -> new ExecCommand(o.string("cmd"), o.strings("args"), o.stringMap("env"), o.string("user"), o.string("taskDir"),
                    o.string("workDir"), o.string("stdoutPath"), o.string("stderrPath"), o.object("resources", RESOURCES),
                    o.string("cgroup"), o.object("isolation", ISOLATION)));

    public static final Codec<ProcessState> PROCESS_STATE = Codec.object(
            s -> Json.object("pid", s.pid(), "startTicks", s.startTicks(), "exitCode", s.exitCode(), "signal", s.signal(),
                    "oomKilled", s.oomKilled(), "timeMillis", s.timeMillis(), "error", s.error()),
            o -> new ProcessState(o.intValue("pid"), o.longValue("startTicks"), o.intValue("exitCode"), o.intValue("signal"),
                    o.bool("oomKilled"), o.longValue("timeMillis"), o.string("error")));

    public static final Codec<ExecResult> EXEC_RESULT = Codec.object(
            r -> Json.object("output", r.output() == null ? null : Base64.getEncoder().encodeToString(r.output()),
                    "exitCode", r.exitCode()),
            o -> new ExecResult(o.bytes("output"), o.intValue("exitCode")));

    public static final Codec<ResourceUsage.Memory> MEMORY = Codec.object(
            m -> Json.object("rss", m.rss(), "cache", m.cache(), "swap", m.swap(), "usage", m.usage(), "maxUsage", m.maxUsage()),
            o -> new ResourceUsage.Memory(o.longValue("rss"), o.longValue("cache"), o.longValue("swap"), o.longValue("usage"),
                    o.longValue("maxUsage")));

    public static final Codec<ResourceUsage.Cpu> CPU = Codec.object(
            c -> Json.object("userNanos", c.userNanos(), "systemNanos", c.systemNanos(), "percent", c.percent(),
                    "throttledPeriods", c.throttledPeriods(), "throttledNanos", c.throttledNanos()),
            o -> new ResourceUsage.Cpu(o.longValue("userNanos"), o.longValue("systemNanos"), o.doubleValue("percent"),
                    o.longValue("throttledPeriods"), o.longValue("throttledNanos")));

    public static final Codec<ResourceUsage> RESOURCE_USAGE = Codec.object(
            u -> Json.object("memory", MEMORY.encode(u.memory()), "cpu", CPU.encode(u.cpu()), "processes", u.processes(),
                    "timestampNanos", u.timestampNanos()),
            o -> new ResourceUsage(o.object("memory", MEMORY), o.object("cpu", CPU), o.intValue("processes"),
                    o.longValue("timestampNanos")));
}
