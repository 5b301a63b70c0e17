"""/proc for the benchmarks: PSS (smaps_rollup), status fields, CPU time, a scan of every process, which
of them belong to a work dir (arguments, cwd, environment), guarded kills, and naming Drover's own
processes (agent, plugin host, plugins, class data cache builds). Stdlib only, nothing Drover-specific
is started here.
"""
import os, signal, subprocess, time


def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def smaps_rollup(pid):
    """/proc/PID/smaps_rollup as {field: KiB} (Rss, Pss, Pss_Anon, Pss_File, …); {} if it is gone."""
    fields = {}
    for line in (read_bytes(f"/proc/{pid}/smaps_rollup") or b"").decode(errors="replace").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[0].endswith(":") and parts[1].isdigit():
            fields[parts[0][:-1]] = int(parts[1])
    return fields


def pss_kb(pid):
    return smaps_rollup(pid).get("Pss", 0)


def kb_field(path, key):
    """A `Key: N kB` line of /proc/PID/status or /proc/meminfo; 0 if missing."""
    for line in (read_bytes(path) or b"").splitlines():
        if line.startswith(key.encode() + b":"):
            return int(line.split()[1])
    return 0


def status_field(pid, key):
    return kb_field(f"/proc/{pid}/status", key)


def mem_available_kb():
    return kb_field("/proc/meminfo", "MemAvailable")


def cpu_seconds(pid):
    """utime + stime of a process (all its threads), in seconds; OSError if it is gone."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def scan():
    """pid -> (ppid, [args]) for every user-space process."""
    table = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        cmd = read_bytes(f"/proc/{pid}/cmdline")
        stat = read_bytes(f"/proc/{pid}/stat")
        if not cmd or not stat:
            continue
        try:
            ppid = int(stat.rsplit(b")", 1)[1].split()[1])
        except (IndexError, ValueError):
            continue
        table[pid] = (ppid, [a.decode(errors="replace") for a in cmd.rstrip(b"\0").split(b"\0")])
    return table


def under(value, root):
    return value == root or value.startswith(root + "/")


def refers_to(pid, args, root):
    """Whether a process belongs to `root`: an argument, its cwd or an environment value under it
    (tasks carry NOMAD_ALLOC_DIR/NOMAD_TASK_DIR; plugins name their socket; the agent its data dir)."""
    if any(under(a, root) for a in args):
        return True
    try:
        if under(os.readlink(f"/proc/{pid}/cwd"), root):
            return True
    except OSError:
        pass
    env = read_bytes(f"/proc/{pid}/environ") or b""
    for item in env.split(b"\0"):
        _, _, value = item.partition(b"=")
        if value and under(value.decode(errors="replace"), root):
            return True
    return False


def leftovers(root, table=None):
    """Pids of every process (but this one) that still refers to `root`."""
    table = scan() if table is None else table
    return [pid for pid, (_, a) in table.items() if pid != os.getpid() and refers_to(pid, a, root)]


def proc_args(pid):
    cmd = read_bytes(f"/proc/{pid}/cmdline")
    return [a.decode(errors="replace") for a in cmd.rstrip(b"\0").split(b"\0")] if cmd else None


def kill_pids(pids, root):
    """SIGKILLs processes of ours (each still refers to `root`: guards against pid reuse); returns
    those still alive 5 s later."""
    for pid in pids:
        args = proc_args(pid)
        if args and refers_to(pid, args, root):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    deadline = time.time() + 5
    alive = list(pids)
    while alive and time.time() < deadline:
        time.sleep(0.1)
        alive = [p for p in alive if (a := proc_args(p)) and refers_to(p, a, root)]
    return alive


def is_java(args):
    # the class data cache runs its training, dump and check JVMs under `nice -n 10`
    if len(args) > 3 and os.path.basename(args[0]) == "nice" and args[1] == "-n":
        args = args[3:]
    return bool(args) and os.path.basename(args[0]) == "java"


def is_drover(args):
    return any("dev.drover" in a for a in args)


def aot_mode(args):
    for a in args:
        if a.startswith("-XX:AOTMode="):
            return a.split("=", 1)[1]
        # the CDS kinds of the class data cache: training run, (static) dump, then a check JVM
        if a.startswith(("-XX:ArchiveClassesAtExit=", "-XX:DumpLoadedClassList=")):
            return "record"
        if a == "-Xshare:dump":
            return "create"
        if a == "-Xshare:on":
            return "on"
    return None


PLUGIN_MAIN = "dev.drover.sdk.plugin.PluginMain"


def role(args):
    mode = aot_mode(args)
    if mode in ("record", "create", "on"):  # the plugins' AOT cache being built in the background
        name = args[args.index(PLUGIN_MAIN) + 1] if PLUGIN_MAIN in args else ""
        return f"aot-{mode}{':' + name if name else ''}"
    if PLUGIN_MAIN in args:
        i = args.index(PLUGIN_MAIN)
        name = args[i + 1] if i + 1 < len(args) else "?"
        return f"host[{name}]" if "," in name else name
    if "dev.drover.dist.Main" in args:
        return "agent"
    return "drover?"


def short_cmd(args, width=150):
    text = " ".join(args)
    return text if len(text) <= width else text[:width] + "…"


def describe(pids, table, groups=8):
    """Leftover processes grouped by what they are: count, a few pids, the command."""
    by = {}
    for pid in pids:
        args = table.get(pid, (0, ["?"]))[1]
        key = f"java … PluginMain {role(args)}" if PLUGIN_MAIN in args else short_cmd(args, 100)
        by.setdefault(key, []).append(pid)
    lines = [f"      {len(p):4d}x {k}   (pids {' '.join(map(str, p[:5]))}{' …' if len(p) > 5 else ''})"
             for k, p in sorted(by.items(), key=lambda kv: -len(kv[1]))[:groups]]
    if len(by) > groups:
        lines.append(f"      … and {len(by) - groups} more kinds")
    return "\n".join(lines)


def stop_process(proc, sig=signal.SIGINT, timeout=60):
    """Sends `sig` and waits; SIGKILLs it after `timeout` s. True if it exited by itself."""
    if proc.poll() is not None:
        return True
    proc.send_signal(sig)
    try:
        proc.wait(timeout)
        return True
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
