#!/usr/bin/env python3
"""Whole-system benchmark for issue 4 ("cheap supervision"): what it costs Drover to supervise a
task, in each plugin placement (`per_task`: one executor JVM + one logmon JVM per task;
`shared`: one plugin host for all tasks), next to baselines measured in the same run.

  1. per-task overhead: Σ PSS of the agent's Drover processes (agent + plugin JVMs, not the
     tasks) with N raw_exec `sleep` tasks running, minus the idle figure, / N  (N = 50, 200)
  2. start latency (StartedAt − CreateTime): N sequential starts and N concurrent starts;
     baseline: a shell spawning `sleep &`
  3. log throughput through logmon: a task `cat`s a file of numbered lines to stdout; time and
     lines lost vs `cat file | cat > file` (like for like: producer -> pipe -> a process writing
     the file) and `cat file > file` (no pipe: copy_file_range), runs alternating; logmon's own
     line counters from /v1/metrics are checked against the source
  4. 500 running tasks in `shared` placement: heap (jcmd GC.heap_info), RSS and PSS

Every phase runs its own `bin/drover agent -dev -plugin-placement <p>` on a fresh data dir and a free
port, and checks afterwards that nothing of that data dir is left in /proc (leftovers are listed,
killed and make the exit status 1). A build without -plugin-placement gets a clear error and only
per_task is measured. Tasks run with the job's default restart policy; starts that needed restarts
are counted and shown with their reasons, a task that fails for good stops its phase with the
allocation's last task events, the agent log and the newest plugin logs.

Usage: bench/supervision.py [--quick] [--n N] [--placements per_task,shared] [--phases memory,start,logs,many] [--keep]
  --quick   N = 20 (memory, starts), 128 MiB of logs, 100 running tasks   (~3 minutes)
  default   N = 50 and 200, 200 starts, 1 GiB of logs, 500 running tasks  (~30 minutes: per_task at N = 200
            is 400 JVMs, ~14 GiB; skipped, with a message, if MemAvailable is too small for it)
  --n N     one N for the memory and start phases;  --keep  keep agent/plugin logs and state
Needs root (like the agent) and a built distribution (dist/target/lib). Talks only to 127.0.0.1.
Report on stdout, progress on stderr. Exit status 1 if a phase failed or anything was left over.
"""
import argparse, hashlib, os, re, shlex, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
import json, urllib.error, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DROVER = os.path.join(ROOT, "bin", "drover")
JAVA_HOME = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
MIB = 1024 * 1024
PLACEMENTS = ("per_task", "shared")
PHASES = ("memory", "start", "logs", "many")
FLAG = "-plugin-placement"
# Never go through a proxy: every request is for 127.0.0.1.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))
# Fixed-width numbered lines: 12 digits + text = 64 bytes, so 1 GiB is exactly 16 Mi lines.
LINE = b"%012d drover log throughput line abcdefghijklmnopqrstuvw\n"
LINE_LEN = len(LINE % 0)
assert LINE_LEN == 64


class BenchError(Exception):
    pass


def out(msg=""):
    print(msg, flush=True)


def progress(msg):
    print(f"    .. {msg}", file=sys.stderr, flush=True)


def mib(kb):
    return kb / 1024.0


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))] if s else float("nan")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path, lines=15, width=240):
    """The last lines of a log, preferring warnings and errors over INFO chatter."""
    try:
        with open(path, "rb") as f:
            f.seek(max(0, os.path.getsize(path) - 256 * 1024))
            text = f.read().decode(errors="replace").splitlines()
    except OSError as e:
        return f"      (cannot read {path}: {e})"
    noisy = re.compile(r"\bINFO\b|^INFO:|^[A-Z][a-z]{2} \d+, \d{4} ")  # JUL's two-line format: date line, then level
    picked = [l for l in text if l.strip() and not noisy.search(l)]
    skipped = len(text) - len(picked)
    shown = (picked or text)[-lines:]
    note = f"      ({skipped} INFO/date lines left out)\n" if picked and skipped else ""
    return note + "\n".join("      | " + (l if len(l) <= width else l[:width] + "…") for l in shown)


# ---------------------------------------------------------------------------------------------
# /proc

def read_bytes(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError:
        return None


def pss_kb(pid):
    data = read_bytes(f"/proc/{pid}/smaps_rollup")
    for line in (data or b"").splitlines():
        if line.startswith(b"Pss:"):
            return int(line.split()[1])
    return 0


def status_field(pid, key):
    data = read_bytes(f"/proc/{pid}/status")
    for line in (data or b"").splitlines():
        if line.startswith(key.encode() + b":"):
            return int(line.split()[1])
    return 0


def mem_available_kb():
    return status_like("/proc/meminfo", "MemAvailable")


def status_like(path, key):
    data = read_bytes(path)
    for line in (data or b"").splitlines():
        if line.startswith(key.encode() + b":"):
            return int(line.split()[1])
    return 0


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


def shutdown_stacks(dump, limit=3, depth=14):
    """From a Thread.print dump, the threads that take part in shutting down (signal handler,
    shutdown hooks, the agent's command), each cut to its top frames."""
    keys = ("AgentCommand.lambda", "Agent.drain", "Agent.close", '"SIGINT handler"', '"SIGTERM handler"', "Shutdown.exit")
    blocks = [b for b in dump.split("\n\n") if b.lstrip().startswith('"') and any(k in b for k in keys)]
    blocks.sort(key=lambda b: "handler\"" in b.split("\n", 1)[0])  # the hook's own thread first
    out_lines = []
    for b in blocks[:limit]:
        lines = b.strip().splitlines()
        out_lines += ["      | " + l for l in lines[:depth]] + (["      | …"] if len(lines) > depth else [])
    return "\n".join(out_lines) or "      (no shutdown-related thread found)"


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


def role(args):
    mode = aot_mode(args)
    if mode in ("record", "create", "on"):  # the plugins' AOT cache being built in the background
        name = args[args.index("dev.drover.sdk.plugin.PluginMain") + 1] if "dev.drover.sdk.plugin.PluginMain" in args else ""
        return f"aot-{mode}{':' + name if name else ''}"
    if "dev.drover.sdk.plugin.PluginMain" in args:
        i = args.index("dev.drover.sdk.plugin.PluginMain")
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
        key = f"java … PluginMain {role(args)}" if "dev.drover.sdk.plugin.PluginMain" in args else short_cmd(args, 100)
        by.setdefault(key, []).append(pid)
    lines = [f"      {len(p):4d}x {k}   (pids {' '.join(map(str, p[:5]))}{' …' if len(p) > 5 else ''})"
             for k, p in sorted(by.items(), key=lambda kv: -len(kv[1]))[:groups]]
    if len(by) > groups:
        lines.append(f"      … and {len(by) - groups} more kinds")
    return "\n".join(lines)


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


# ---------------------------------------------------------------------------------------------
# One agent

class Agent:
    def __init__(self, bench, label, placement):
        self.bench = bench
        self.label = label
        self.placement = placement
        self.data = tempfile.mkdtemp(prefix=f"{label}.", dir=bench.root)
        self.log = self.data + ".agent.log"
        self.port = free_port()
        self.addr = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.hung = False

    def __enter__(self):
        try:
            self.start()
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, BenchError):  # report it before the clean-up's findings
            self.bench.problem(f"{self.label} FAILED: {exc}")
            exc.reported = True
        self.close(failed=exc_type is not None)
        return False

    def start(self):
        cmd = [DROVER, "agent", "-dev", "-bind", "127.0.0.1", "-data-dir", self.data, "-http-port", str(self.port)]
        if self.bench.has_flag:
            cmd += [FLAG, self.placement]
        env = dict(os.environ, JAVA_HOME=JAVA_HOME)
        with open(self.log, "wb") as logf:
            # Own session: a Ctrl-C at the terminal reaches only us; we stop the agent ourselves.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True)
        deadline = time.time() + 90
        while True:
            rc = self.proc.poll()
            if rc is not None:
                raise BenchError(f"agent ({self.label}) exited with status {rc} before its API came up; its log:\n{tail(self.log)}")
            try:
                self.api("GET", "/v1/agent/health", timeout=2)
                self.bench.note_flags("agent", proc_args(self.proc.pid))
                return
            except BenchError:
                pass
            if time.time() > deadline:
                raise BenchError(f"agent ({self.label}) API did not come up on {self.addr} within 90 s; its log:\n{tail(self.log)}")
            time.sleep(0.1)

    def api(self, method, path, body=None, timeout=120):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.addr + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with HTTP.open(req, timeout=timeout) as r:
                return json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            raise BenchError(f"{method} {path}: HTTP {e.code}: {e.read().decode(errors='replace').strip()[:800]}")
        except (urllib.error.URLError, OSError) as e:
            raise BenchError(f"{method} {path}: {e}")

    def submit(self, job):
        """PUT /v1/jobs; returns the alloc ids. self.submit_s: how long the call took."""
        t = time.time()
        ids = self.api("PUT", "/v1/jobs", job, timeout=300)["AllocIDs"]
        self.submit_s = time.time() - t
        return ids

    def processes(self):
        """(drover {pid: role}, tasks [pid]) of this agent: the agent and its descendants while it
        lives, and anything referring to its data dir."""
        table = scan()
        ours = set()
        if self.proc is not None and self.proc.poll() is None:
            children = {}
            for pid, (ppid, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            todo = [self.proc.pid]
            while todo:
                pid = todo.pop()
                if pid in table and pid not in ours:
                    ours.add(pid)
                    todo.extend(children.get(pid, ()))
        for pid, (_, args) in table.items():
            if pid not in ours and refers_to(pid, args, self.data):
                ours.add(pid)
        # Drover's own processes: its classes on the command line, or a JVM it started (e.g. building the
        # plugins' AOT cache). Everything else of ours is a task (this benchmark's tasks are never JVMs).
        drover = {pid: role(table[pid][1]) for pid in ours if is_drover(table[pid][1]) or is_java(table[pid][1])}
        tasks = sorted(pid for pid in ours if pid not in drover)
        return drover, tasks, table

    def wait_quiet(self, timeout=120):
        """Waits until no transient Drover JVM (AOT cache build) runs, so memory is measured in the
        steady state; returns what was waited for."""
        t0 = time.time()
        seen = set()
        while time.time() - t0 < timeout:
            busy = [r for r in self.processes()[0].values() if r.startswith("aot-")]
            if not busy:
                break
            seen.update(busy)
            time.sleep(0.5)
        else:
            self.bench.problem(f"{self.label}: background JVMs still running after {timeout} s: {sorted(seen)}")
        return f"waited {time.time() - t0:.1f} s for {', '.join(sorted(seen))}" if seen else ""

    def snapshot(self):
        drover, tasks, table = self.processes()
        for pid, r in drover.items():
            if r != "agent" and not r.startswith("aot-"):
                self.bench.note_flags(f"plugin ({self.placement})", table[pid][1])
        pss = {pid: pss_kb(pid) for pid in drover}
        by_role = {}
        for pid, r in drover.items():
            n, kb = by_role.get(r, (0, 0))
            by_role[r] = (n + 1, kb + pss[pid])
        task_pss = [pss_kb(pid) for pid in tasks]
        return {"drover": drover, "pss": pss, "total": sum(pss.values()), "by_role": by_role,
                "tasks": tasks, "task_pss": task_pss, "table": table}

    def stop_job(self, job, timeout):
        """DELETE ?purge=true, then wait until none of its task processes is left; seconds taken."""
        t0 = time.time()
        self.api("DELETE", f"/v1/job/{job}?purge=true")
        deadline = t0 + timeout
        while True:
            _, tasks, table = self.processes()
            if not tasks:
                return time.time() - t0
            if time.time() > deadline:
                raise BenchError(f"{len(tasks)} task processes still alive {timeout:.0f} s after stopping job {job}:\n"
                                 f"{describe(tasks, table)}")
            time.sleep(0.1)

    def diagnose(self, allocs, limit=3):
        """Last task events of the given allocation stubs, the agent log and the newest plugin logs."""
        lines = []
        for a in allocs[:limit]:
            try:
                full = self.api("GET", f"/v1/allocation/{a['ID']}", timeout=10)
            except BenchError:
                full = a
            lines.append(f"    alloc {full['ID']} ({full.get('Name')}): ClientStatus={full.get('ClientStatus')}")
            for name, ts in (full.get("TaskStates") or {}).items():
                lines.append(f"      task {name}: State={ts.get('State')} Failed={ts.get('Failed')} Restarts={ts.get('Restarts')}")
                for e in (ts.get("Events") or [])[-6:]:
                    msg = e.get("DisplayMessage") or e.get("Message") or ""
                    extra = f" [driver: {e['DriverMessage']}]" if e.get("DriverMessage") else ""
                    lines.append(f"        {e.get('Type')}: {msg}{extra}")
        if len(allocs) > limit:
            lines.append(f"    … and {len(allocs) - limit} more")
        lines.append(f"    agent log ({self.log}):\n{tail(self.log, 12)}")
        plugin_dir = os.path.join(self.data, "plugins")
        try:
            logs = sorted((os.path.join(plugin_dir, f) for f in os.listdir(plugin_dir)
                           if f.endswith(".log") and os.path.getsize(os.path.join(plugin_dir, f)) > 0),
                          key=os.path.getmtime)[-2:]
        except OSError:
            logs = []
        for p in logs:
            lines.append(f"    plugin log {p}:\n{tail(p, 8)}")
        return "\n".join(lines)

    def close(self, failed=False):
        """SIGINT (-dev: stops the tasks), wait, then check nothing of the data dir is left in /proc."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(150)
            except subprocess.TimeoutExpired:
                self.hung = True
                dump = self.data + ".threads.txt"
                try:
                    text = jcmd(self.proc.pid, "Thread.print")
                    with open(dump, "w") as f:
                        f.write(text)
                    stacks = shutdown_stacks(text)
                except (BenchError, OSError) as e:
                    stacks = f"      (no thread dump: {e})"
                self.bench.problem(f"{self.label}: agent did not exit within 150 s of SIGINT; killed it. "
                                   f"Thread dump in {dump}; shutdown-related threads:\n{stacks}")
                self.proc.kill()
                self.proc.wait()
        deadline = time.time() + 20
        while True:
            drover, tasks, table = self.processes()
            left = sorted(set(drover) | set(tasks))
            if not left or time.time() > deadline:
                break
            time.sleep(0.2)
        if left:
            self.bench.problem(f"{self.label}: {len(left)} processes of data dir {self.data} left after the agent stopped "
                               f"(killing them):\n{describe(left, table)}")
            alive = kill_pids(left, self.data)
            if alive:
                self.bench.problem(f"{self.label}: {len(alive)} of them survive SIGKILL: {alive[:10]}")
        out(f"    cleanup: agent stopped (status {self.proc.returncode if self.proc else '-'}), "
            f"{len(left)} processes of its data dir left" + (" — LEFTOVERS, see above" if left else ""))
        if not self.bench.keep and not failed and not left and not self.hung:
            shutil.rmtree(self.data, ignore_errors=True)
            try:
                os.remove(self.log)
            except OSError:
                pass
        else:
            shutil.rmtree(os.path.join(self.data, "alloc"), ignore_errors=True)  # big log files
            self.bench.kept += [self.log, self.data, self.data + ".threads.txt"]  # agent log, plugin logs, state


def sleep_job(job_id, count):
    # The job's default restart policy (service: 2 attempts, 15 s delay), as a user gets it: a start
    # that fails (e.g. a plugin handshake timing out under load) is retried, counted and reported;
    # a task that runs out of attempts fails the phase with its events.
    return {"Job": {"ID": job_id, "Type": "service", "TaskGroups": [{
        "Name": "g", "Count": count,
        "Tasks": [{"Name": "sleep", "Driver": "raw_exec",
                   "Config": {"command": "/bin/sleep", "args": ["100000"]}}]}]}}


FAILURE_EVENTS = ("Setup Failure", "Driver Failure", "Failed Validation", "Task hook failed", "Terminated")


class Restarts:
    """Start attempts that failed and were retried, with their reasons."""

    def __init__(self, allocs=(), task="sleep"):
        self.tasks = self.count = 0
        self.reasons = {}
        for a in allocs:
            ts = (a.get("TaskStates") or {}).get(task) or {}
            if ts.get("Restarts"):
                self.tasks += 1
                self.count += ts["Restarts"]
                for e in ts.get("Events") or []:
                    if e.get("Type") in FAILURE_EVENTS:
                        msg = f"{e['Type']}: {e.get('DisplayMessage') or e.get('Message') or ''}"[:160]
                        self.reasons[msg] = self.reasons.get(msg, 0) + 1

    def line(self):
        if not self.tasks:
            return "none"
        top = sorted(self.reasons.items(), key=lambda kv: -kv[1])[:3]
        return (f"{self.tasks} tasks needed {self.count} restarts to run; "
                + "; ".join(f"{c}x \"{m}\"" for m, c in top))


def wait_running(agent, job, n, timeout, task="sleep"):
    """Polls the job's allocations until n tasks run; raises with a diagnosis when a task fails for
    good, on timeout, or when the node runs short of memory. Returns ({alloc id: stub}, Restarts)."""
    t0 = time.time()
    deadline = t0 + timeout
    last_note = t0
    poll = 0.1 if n <= 20 else 0.5
    while True:
        allocs = agent.api("GET", f"/v1/job/{job}/allocations")
        running, failed, states = {}, [], {}
        for a in allocs:
            ts = (a.get("TaskStates") or {}).get(task) or {}
            state = ts.get("State", "pending")
            states[state] = states.get(state, 0) + 1
            if state == "running" and ts.get("StartedAt"):
                running[a["ID"]] = a
            elif state == "dead":
                failed.append(a)
        if len(running) >= n:
            return running, Restarts(allocs, task)
        if failed:
            raise BenchError(f"{len(failed)} of {n} tasks of job {job} failed to start ({len(running)} running, "
                             f"states {states}); restarts so far: {Restarts(allocs, task).line()}; "
                             f"last task events:\n{agent.diagnose(failed)}")
        now = time.time()
        if now > deadline:
            pending = [a for a in allocs if a["ID"] not in running]
            raise BenchError(f"timeout: only {len(running)}/{n} tasks of job {job} running after {timeout:.0f} s "
                             f"(states {states}); restarts so far: {Restarts(allocs, task).line()}; "
                             f"waiting allocations:\n{agent.diagnose(pending)}")
        avail = mem_available_kb()
        if avail and avail < 768 * 1024:
            raise BenchError(f"MemAvailable fell to {mib(avail):.0f} MiB with {len(running)}/{n} tasks running; "
                             f"aborting this phase before the node runs out of memory")
        if now - last_note > 15:
            r = Restarts(allocs, task)
            progress(f"{len(running)}/{n} running after {now - t0:.0f} s (MemAvailable {mib(avail) / 1024:.1f} GiB"
                     + (f", {r.count} restarts so far" if r.count else "") + ")")
            last_note = now
        time.sleep(poll)


def latencies_ms(running, task="sleep"):
    return [(a["TaskStates"][task]["StartedAt"] - a["CreateTime"]) / 1e6 for a in running.values()]


def fmt_lat(lat):
    return f"p50 {pct(lat, 50):8.1f} ms   p95 {pct(lat, 95):8.1f} ms   p99 {pct(lat, 99):8.1f} ms"


def jcmd(pid, *command):
    try:
        r = subprocess.run([os.path.join(JAVA_HOME, "bin", "jcmd"), str(pid), *command],
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as e:
        raise BenchError(f"jcmd {pid} {' '.join(command)}: {e}")
    if r.returncode != 0:
        raise BenchError(f"jcmd {pid} {' '.join(command)}: exit {r.returncode}: {(r.stdout + r.stderr).strip()[:300]}")
    return r.stdout


def heap_used_committed_kb(text):
    """Sums the generation lines of GC.heap_info (Serial: DefNew + Tenured; G1: one heap line)."""
    used = committed = 0
    for line in text.splitlines():
        m = re.match(r"^(?!\s)(?!Metaspace).*?\btotal (\d+)K, used (\d+)K", line)
        if m:
            committed += int(m.group(1))
            used += int(m.group(2))
    return used, committed


def heap_info(pid):
    """Heap of a JVM via jcmd: used/committed now, live after a full GC, max, metaspace. -> (summary, dict)."""
    try:
        used, committed = heap_used_committed_kb(jcmd(pid, "GC.heap_info"))
        flags = jcmd(pid, "VM.flags")
        meta = re.search(r"Metaspace\s+used (\d+)K, committed (\d+)K", jcmd(pid, "VM.metaspace", "basic"))
        jcmd(pid, "GC.run")
        live, _ = heap_used_committed_kb(jcmd(pid, "GC.heap_info"))
    except BenchError as e:
        return f"(heap unavailable: {e})", {}
    mx = re.search(r"-XX:MaxHeapSize=(\d+)", flags)
    info = {"used_kb": used, "committed_kb": committed, "live_kb": live,
            "max_kb": int(mx.group(1)) // 1024 if mx else 0, "meta_kb": int(meta.group(1)) if meta else 0}
    summary = (f"heap used {mib(used):.1f} MiB / committed {mib(committed):.1f} MiB / max {mib(info['max_kb']):.0f} MiB, "
               f"live after full GC {mib(live):.1f} MiB; metaspace {mib(info['meta_kb']):.1f} MiB")
    return summary, info


# ---------------------------------------------------------------------------------------------

class Bench:
    def __init__(self, args):
        self.quick = args.quick
        self.keep = args.keep
        self.placements = args.placements
        self.phases = args.phases
        self.root = tempfile.mkdtemp(prefix="drover-supervision-")
        self.problems = []
        self.kept = []
        self.has_flag = False
        self.default_placement = None
        self.results = {p: {} for p in PLACEMENTS}
        self.status = {}  # (placement, phase[, n]) -> FAILED / SKIPPED
        self.flags = {}
        self.build = self.build_fingerprint()
        self.base = {}
        self.source = None
        if self.quick:
            self.mem_ns, self.starts, self.log_bytes, self.many = [20], 20, 128 * MIB, 100
        else:
            self.mem_ns, self.starts, self.log_bytes, self.many = [50, 200], 200, 1024 * MIB, 500
        if args.n:
            self.mem_ns, self.starts = [args.n], args.n

    def build_fingerprint(self):
        """bin/drover's text and the distribution's jars: others may rebuild while we run."""
        h = hashlib.sha256(read_bytes(DROVER) or b"")
        lib = os.path.join(ROOT, "dist/target/lib")
        for name in sorted(os.listdir(lib)) if os.path.isdir(lib) else []:
            st = os.stat(os.path.join(lib, name))
            h.update(f"{name}:{st.st_size}:{st.st_mtime_ns};".encode())
        return h.hexdigest()[:12]

    def check_build(self, phase):
        now = self.build_fingerprint()
        if now != self.build:
            self.problem(f"the build (bin/drover or dist/target/lib) changed before phase \"{phase}\": "
                         f"figures from here on come from a different build than the ones above")
            self.build = now

    def note_flags(self, kind, args):
        """Remembers the JVM flags of the first agent / plugin seen, for the record."""
        if kind not in self.flags and args:
            end = args.index("-cp") if "-cp" in args else len(args)
            self.flags[kind] = " ".join(a for a in args[1:end] if not a.startswith("-Djava.util.logging"))

    def problem(self, msg):
        self.problems.append(msg)
        out(f"  !! {msg}")

    # -- set-up ------------------------------------------------------------------------------

    def detect_flag(self):
        if not os.path.exists(os.path.join(ROOT, "dist/target/lib/drover.jar")):
            raise BenchError("no distribution in dist/target/lib: build it first with ./mvnw -q -o -DskipTests package")
        r = subprocess.run([DROVER, "agent", "--help"], capture_output=True, text=True, timeout=120,
                           env=dict(os.environ, JAVA_HOME=JAVA_HOME))
        text = r.stdout + r.stderr
        self.has_flag = FLAG in text
        if self.has_flag:
            # e.g. "Run executor and logmon sessions in one shared plugin host (default) or a process per task"
            flat = " ".join(text.split())
            d = (re.search(r"(shared|per[_ ]task)[^()]{0,40}\(default\)", flat)
                 or re.search(r"default[:= ]+\W*(shared|per_task)", flat))
            self.default_placement = d.group(1).replace(" ", "_") if d else None

    def header(self):
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
        jar = os.path.join(ROOT, "dist/target/lib/drover-agent-0.1.0-SNAPSHOT.jar")
        built = time.strftime("%Y-%m-%d %H:%M", time.localtime(os.path.getmtime(jar))) if os.path.exists(jar) else "?"
        out(f"Drover supervision benchmark (issue 4), {'--quick' if self.quick else 'full'} run, "
            f"{time.strftime('%Y-%m-%d %H:%M')}")
        out(f"  node: {os.cpu_count()} cores, MemAvailable {mib(mem_available_kb()) / 1024:.1f} GiB, "
            f"load avg {os.getloadavg()[0]:.2f}; git {head}{' + uncommitted changes' if dirty else ''}, dist built {built}")
        if self.has_flag:
            out(f"  placements: {', '.join(self.placements)}   ({FLAG} present; default "
                f"{self.default_placement or 'not stated in --help'})")
        else:
            self.problem(f"`drover agent` has no {FLAG} flag in this build (bin/drover agent --help does not list it): "
                         f"the `shared` placement cannot be measured; per_task runs without the flag "
                         f"(the only layout this build has). Rebuild with ./mvnw -q -o -DskipTests package once it lands.")
            self.placements = [p for p in self.placements if p == "per_task"]
        out(f"  work dir: {self.root}")
        out()

    def placement_ok(self, placement):
        return placement in self.placements

    # -- baselines ---------------------------------------------------------------------------

    def spawn_baseline(self, n):
        """Time for bash to start `sleep` in the background until /proc/<pid> exists; its PSS."""
        script = f"""
for i in $(seq 1 {n}); do
  s=$(date +%s%N); sleep 100000 >/dev/null 2>&1 & p=$!
  while [ ! -e /proc/$p ]; do :; done
  e=$(date +%s%N); echo $(( (e - s) / 1000 )) $p
done
"""
        r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=300)
        micros, pids = [], []
        for line in r.stdout.splitlines():
            if line.strip():
                us, pid = line.split()
                micros.append(int(us) / 1000.0)
                pids.append(int(pid))
        time.sleep(0.3)
        pss = statistics.mean(pss_kb(p) for p in pids) if pids else 0
        table = scan()
        for p in pids:  # ours: started just now by our bash; check it is still that sleep
            if p in table and table[p][1] == ["sleep", "100000"]:
                try:
                    os.kill(p, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        return micros, pss

    def baselines(self):
        n = self.starts
        ms, pss = self.spawn_baseline(n)
        self.base["spawn_ms"] = ms
        self.base["sleep_pss_kb"] = pss
        self.base["spawn_rate"] = n / (sum(ms) / 1000.0)
        out("Baselines (same run)")
        out(f"  bash `sleep &` spawn, {n}x:  {fmt_lat(ms)}   -> {self.base['spawn_rate']:.0f} spawns/s")
        out(f"  bare `sleep` PSS:            {mib(pss):.3f} MiB (mean of the {n})")
        out()

    # -- 1. per-task overhead ----------------------------------------------------------------

    def fits(self, placement, n, what, key):
        """per_task at large N is hundreds of JVMs: refuse if it would not fit in memory."""
        if placement != "per_task" or n <= 50:
            return True
        known = [r["overhead_kb"] for (nn, r) in self.results[placement].get("memory", {}).items()]
        per_task_kb = max(known) if known else 100 * 1024
        need = per_task_kb * n * 1.05
        avail = mem_available_kb()
        if need > avail - 2 * MIB:  # keep 2 GiB for everyone else
            self.status[key] = "SKIPPED"
            self.problem(f"{what}: SKIPPED, {n} tasks in per_task placement need ~{mib(need) / 1024:.1f} GiB "
                         f"({mib(per_task_kb):.0f} MiB/task) but MemAvailable is {mib(avail) / 1024:.1f} GiB")
            return False
        return True

    def phase_memory(self, placement, n):
        out(f"[1] Per-task overhead — {placement}, N={n} raw_exec `sleep 100000` tasks (one job, count={n})")
        if not self.fits(placement, n, f"per-task overhead {placement} N={n}", (placement, "memory", n)):
            out()
            return
        with Agent(self, f"memory-{placement}-n{n}", placement) as ag:
            time.sleep(3)
            # One task first, so the plugins' class data caches exist (built once per build in the
            # background): measure the steady state, not plugins started before their cache was there.
            ag.submit(sleep_job("warmup", 1))
            wait_running(ag, "warmup", 1, timeout=120)
            ag.wait_quiet()
            ag.stop_job("warmup", timeout=60)
            time.sleep(2)
            ag.wait_quiet()
            idle = ag.snapshot()
            # The idle figure is the agent alone: a shared host started by the warm-up stays, and counts below.
            idle["total"] = sum(kb for pid, kb in idle["pss"].items() if idle["drover"][pid] == "agent")
            t0 = time.time_ns()
            ag.submit(sleep_job("bench", n))
            running, restarts = wait_running(ag, "bench", n, timeout=90 + (3 if placement == "per_task" else 1) * n)
            all_ms = (max(a["TaskStates"]["sleep"]["StartedAt"] for a in running.values()) - t0) / 1e6
            time.sleep(5 if not self.quick else 3)
            quiet = ag.wait_quiet()
            if quiet:
                out(f"  settle:      {quiet} (the plugins' AOT cache being built) before measuring")
            snap = ag.snapshot()
            overhead = (snap["total"] - idle["total"]) / n
            roles = ", ".join(f"{r} {c}x {mib(kb):.1f} MiB" for r, (c, kb) in sorted(snap["by_role"].items()))
            sleep_pss = self.base.get("sleep_pss_kb") or 1
            out(f"  idle:        agent PSS {mib(idle['total']):.1f} MiB after a 1-task warm-up; {len(idle['drover'])} Drover processes "
                f"({', '.join(f'{r} {c}x {mib(kb):.1f} MiB' for r, (c, kb) in sorted(idle['by_role'].items()))})")
            out(f"  {n} running:  all in {all_ms / 1000:.1f} s (PUT /v1/jobs took {ag.submit_s:.2f} s); "
                f"{len(snap['drover'])} Drover processes counted, "
                f"PSS {mib(snap['total']):.1f} MiB ({roles})")
            out(f"  restarts:    {restarts.line()}")
            out(f"  tasks:       {len(snap['tasks'])} task processes (not counted), "
                f"{mib(statistics.mean(snap['task_pss'])) if snap['task_pss'] else 0:.3f} MiB PSS each")
            if len(snap["tasks"]) != n:
                self.problem(f"per-task overhead {placement} N={n}: expected {n} task processes, found {len(snap['tasks'])}:\n"
                             + describe(snap["tasks"], snap["table"]))
            out(f"  per task:    {mib(overhead):.2f} MiB PSS  vs bare sleep {mib(sleep_pss):.3f} MiB  "
                f"-> ratio {overhead / sleep_pss:.0f}x")
            stop_s = ag.stop_job("bench", timeout=60 + n)
            out(f"  job stop:    all {n} task processes gone {stop_s:.1f} s after DELETE ?purge=true")
            self.results[placement].setdefault("memory", {})[n] = {
                "overhead_kb": overhead, "procs": len(snap["drover"]), "idle_kb": idle["total"],
                "agent_idle_kb": sum(idle["pss"][p] for p, r in idle["drover"].items() if r == "agent"),
                "total_kb": snap["total"], "restarted": restarts.tasks}
        out()

    # -- 2. start latency --------------------------------------------------------------------

    def phase_start_seq(self, placement):
        n = self.starts
        out(f"[2a] Sequential starts — {placement}, {n} jobs of count=1, each running (then stopped) before the next")
        with Agent(self, f"start-seq-{placement}", placement) as ag:
            time.sleep(2)
            lat = []
            slow_exit = restarted = 0
            reasons = {}
            t_begin = time.time()
            for i in range(n):
                before = set(ag.processes()[0])
                job = f"seq-{i}"
                ag.submit(sleep_job(job, 1))
                running, r = wait_running(ag, job, 1, timeout=150)
                lat += latencies_ms(running)
                restarted += r.tasks
                reasons.update(r.reasons)
                ag.stop_job(job, timeout=60)

                def extra():  # plugin processes of this start (a shared host started on first use stays; AOT builds run on)
                    return [p for p, r in ag.processes()[0].items()
                            if p not in before and not r.startswith(("host[", "aot-"))]

                # Let plugin JVMs of this start exit, so the next start meets a quiet node.
                deadline = time.time() + 10
                while extra() and time.time() < deadline:
                    time.sleep(0.05)
                if extra():
                    slow_exit += 1
                if (i + 1) % 20 == 0 and i + 1 < n:
                    progress(f"{i + 1}/{n} sequential starts, p50 so far {pct(lat, 50):.0f} ms")
            total = time.time() - t_begin
            base = pct(self.base["spawn_ms"], 50)
            out(f"  latency:     {fmt_lat(lat)}   (CreateTime -> StartedAt)")
            out(f"  vs spawn:    ratio p50 {pct(lat, 50) / max(base, 1e-3):.0f}x  (bash spawn p50 {base:.2f} ms)")
            out(f"  loop:        {total:.1f} s for {n} start+stop rounds")
            out(f"  restarts:    {restarted} of {n} tasks needed restarts to run"
                + (": " + "; ".join(f"{c}x \"{m}\"" for m, c in sorted(reasons.items(), key=lambda kv: -kv[1])[:3])
                   if restarted else ""))
            if slow_exit:
                self.problem(f"sequential starts {placement}: in {slow_exit} rounds plugin processes of the stopped "
                             f"task were still alive 10 s after its stop")
            self.results[placement]["seq"] = {"lat": lat, "restarted": restarted}
        out()

    def phase_start_conc(self, placement):
        n = self.starts
        out(f"[2b] Concurrent starts — {placement}, one job with count={n}")
        if not self.fits(placement, n, f"concurrent starts {placement} N={n}", (placement, "conc")):
            out()
            return
        with Agent(self, f"start-conc-{placement}", placement) as ag:
            time.sleep(2)
            t0 = time.time_ns()
            ag.submit(sleep_job("conc", n))
            running, restarts = wait_running(ag, "conc", n, timeout=90 + (3 if placement == "per_task" else 1) * n)
            lat = latencies_ms(running)
            batch_s = (max(a["TaskStates"]["sleep"]["StartedAt"] for a in running.values()) - t0) / 1e9
            rate = n / batch_s
            base = pct(self.base["spawn_ms"], 50)
            out(f"  latency:     {fmt_lat(lat)}   (CreateTime -> StartedAt)")
            out(f"  vs spawn:    ratio p50 {pct(lat, 50) / max(base, 1e-3):.0f}x  (bash spawn p50 {base:.2f} ms)")
            out(f"  batch:       {n} running {batch_s:.1f} s after submit (PUT /v1/jobs took {ag.submit_s:.2f} s) "
                f"-> {rate:.1f} starts/s "
                f"(bash: {self.base['spawn_rate']:.0f} spawns/s -> ratio {self.base['spawn_rate'] / rate:.0f}x slower)")
            out(f"  restarts:    {restarts.line()}")
            stop_s = ag.stop_job("conc", timeout=60 + n)
            out(f"  job stop:    all {n} task processes gone {stop_s:.1f} s after DELETE ?purge=true")
            self.results[placement]["conc"] = {"lat": lat, "rate": rate, "batch_s": batch_s, "restarted": restarts.tasks}
        out()

    # -- 3. log throughput -------------------------------------------------------------------

    def make_source(self):
        if self.source:
            return self.source
        path = os.path.join(self.root, "source.log")
        lines = self.log_bytes // LINE_LEN
        progress(f"writing {lines} numbered lines ({lines * LINE_LEN / MIB:.0f} MiB) to {path}")
        sha = hashlib.sha256()
        with open(path, "wb") as f:
            step = 65536
            for start in range(0, lines, step):
                chunk = b"".join([LINE % i for i in range(start, min(lines, start + step))])
                sha.update(chunk)
                f.write(chunk)
        self.source = {"path": path, "size": lines * LINE_LEN, "lines": lines, "sha": sha.hexdigest()}
        return self.source

    def phase_logs(self, placement):
        """Three ways of writing the same data, runs alternating, medians and every run printed. In
        each the producer is the same: a raw_exec task (same resources, same cgroups) `cat`ing the
        same page-cached file; only where its output goes differs, and the output lands on the
        same file system (all under the work dir):
          logmon:  task stdout -> fifo -> logmon -> rotated files
          pipe:    task `> fifo` -> `cat fifo > file` run by the bench (what logmon stands in for:
                   a process reading a pipe and writing a file) -- the goal is judged against this
          file:    task `cat src > file`, no pipe at all (cat copies with copy_file_range, in the kernel)
        Time = the task's own start mark -> the last byte in the output (the newest file's mtime)."""
        src = self.make_source()
        size_mib = mib(src["size"] / 1024)
        runs = 2 if self.quick else 3
        out(f"[3] Log throughput through logmon — {placement}, a raw_exec `cat` of {size_mib:.0f} MiB "
            f"({src['lines']} numbered lines), logs {{ max_files = 200  max_file_size = 10 }}, {runs} runs of each")
        out("  producer everywhere: the task's `cat` (cpu = 1024, memory = 300); time = its start -> the last byte "
            "in the output (file mtime)")
        times = {"logmon": [], "pipe": [], "file": []}
        loads = []
        with Agent(self, f"logs-{placement}", placement) as ag:
            time.sleep(2)
            for i in range(runs):
                load = os.getloadavg()[0]
                # Every run starts with no dirty pages waiting for writeback (each deletes its output
                # when done): else later runs would pay for the writeback of earlier ones.
                os.sync()
                pipe, pipe_producer = self.baseline_run(ag, placement, "pipe", i)
                os.sync()
                file, _ = self.baseline_run(ag, placement, "file", i)
                os.sync()
                r = self.logmon_run(ag, placement, i)
                times["pipe"].append(pipe)
                times["file"].append(file)
                times["logmon"].append(r["s"])
                loads.append((load + os.getloadavg()[0]) / 2)
                out(f"  run {i + 1}: logmon {r['s']:.2f} s ({size_mib / r['s']:.0f} MiB/s, lost {r['lost']}; its producer "
                    f"{r['producer_s']:.2f} s)   pipe {pipe:.2f} s ({size_mib / pipe:.0f} MiB/s; producer {pipe_producer:.2f} s)   "
                    f"file {file:.2f} s ({size_mib / file:.0f} MiB/s)   node load {loads[-1]:.1f}")
                self.results[placement].setdefault("log_runs", []).append(r)
        t, p, f = (statistics.median(times[k]) for k in ("logmon", "pipe", "file"))
        lost = max(r["lost"] for r in self.results[placement]["log_runs"])
        out(f"  logmon:         median {t:.2f} s = {size_mib / t:.0f} MiB/s")
        out(f"  pipe baseline:  median {p:.2f} s = {size_mib / p:.0f} MiB/s   task > fifo -> `cat fifo > file` (like for like)"
            f"   -> logmon {p / t:.2f}x its throughput")
        out(f"  file baseline:  median {f:.2f} s = {size_mib / f:.0f} MiB/s   task `cat src > file` (copy_file_range, no pipe)"
            f"   -> logmon {f / t:.2f}x its throughput")
        out(f"  lines lost:     {lost} (worst run); node load {min(loads):.1f}–{max(loads):.1f} during the runs")
        self.results[placement]["logs"] = {"s": t, "pipe_s": p, "file_s": f, "mibs": size_mib / t, "lost": lost,
                                           "vs_pipe": p / t, "vs_file": f / t}
        out()

    def producer_job(self, job_id, marks, redirect):
        """The producing task: stamps its start, `cat`s the source (to stdout, or as `redirect` says), stays up."""
        script = (f"date +%s%N > {shlex.quote(marks + '.t0')}; cat {shlex.quote(self.source['path'])}{redirect} || exit 1; "
                  f"date +%s%N > {shlex.quote(marks + '.t1')}; exec sleep 600")
        # cpu = 1024 MHz: cpu.shares 1024, a plain process's weight (the default 100 starves the
        # producer as soon as other tasks on the node are busy).
        return {"Job": {"ID": job_id, "Type": "batch", "TaskGroups": [{
            "Name": "g", "Count": 1, "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
            "Tasks": [{"Name": "cat", "Driver": "raw_exec", "Config": {"command": "/bin/sh", "args": ["-c", script]},
                       "Resources": {"CPU": 1024, "MemoryMB": 300},
                       "LogConfig": {"MaxFiles": 200, "MaxFileSizeMB": 10}}]}]}}

    @staticmethod
    def mark(marks, suffix=".t0"):
        """A realtime ns stamp the producing task wrote (.t0 before its `cat`, .t1 after); None if missing."""
        try:
            with open(marks + suffix) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def await_producer(self, ag, alloc_id, marks, what, timeout=900):
        """Waits for the producing task's end mark: a stat every 20 ms, the API every 2 s (is it still alive?)."""
        t_start = time.time()
        next_api = t_start + 2
        while self.mark(marks, ".t1") is None:
            now = time.time()
            if now >= next_api:
                next_api = now + 2
                a = ag.api("GET", f"/v1/allocation/{alloc_id}")
                if ((a.get("TaskStates") or {}).get("cat") or {}).get("State") == "dead" and self.mark(marks, ".t1") is None:
                    raise BenchError(f"{what}: the producing task ended early; last task events:\n{ag.diagnose([a])}")
            if now - t_start > timeout:
                raise BenchError(f"{what}: the producer did not finish within {timeout} s")
            time.sleep(0.02)

    def producer_s(self, marks):
        """How long the producer's `cat` took (it waits whenever the reader lags), or nan."""
        deadline = time.time() + 10
        while self.mark(marks, ".t1") is None and time.time() < deadline:
            time.sleep(0.05)
        t0, t1 = self.mark(marks), self.mark(marks, ".t1")
        return (t1 - t0) / 1e9 if t0 and t1 else float("nan")

    def baseline_run(self, ag, placement, kind, i):
        """pipe: the task writes into a fifo the bench's `cat` copies into a file; file: the task writes the file."""
        marks = os.path.join(self.root, f"base-{placement}-{kind}-{i}")
        dst = marks + ".out"
        consumer = None
        if kind == "pipe":
            fifo = marks + ".fifo"
            os.mkfifo(fifo, 0o600)
            consumer = subprocess.Popen(["bash", "-c", f"cat < {shlex.quote(fifo)} > {shlex.quote(dst)}"])
            redirect = f" > {shlex.quote(fifo)}"
        else:
            redirect = f" > {shlex.quote(dst)}"
        job_id = f"base-{kind}-{i}"
        alloc_id = ag.submit(self.producer_job(job_id, marks, redirect))[0]
        # Poll as little as logmon's run does: the task's end mark first (one stat), then the output.
        self.await_producer(ag, alloc_id, marks, f"baseline {kind} run {i + 1}")
        deadline = time.time() + 60
        while not (os.path.exists(dst) and os.path.getsize(dst) >= self.source["size"]):
            if time.time() > deadline or (consumer and consumer.poll() not in (None, 0)):
                if consumer:
                    consumer.kill()
                raise BenchError(f"baseline {kind} run {i + 1}: output incomplete 60 s after the producer ended")
            time.sleep(0.02)
        if consumer:
            consumer.wait(timeout=60)
        seconds = (os.stat(dst).st_mtime_ns - self.mark(marks)) / 1e9
        producer = self.producer_s(marks)
        ag.stop_job(job_id, timeout=60)
        os.remove(dst)
        return seconds, producer

    def logmon_run(self, ag, placement, i):
        """The task `cat`s the source to stdout; the files are verified line by line and logmon's counters checked."""
        src = self.source
        marks = os.path.join(self.root, f"logs-{placement}-{i}")
        job_id = f"logs-{i}"
        alloc_id = ag.submit(self.producer_job(job_id, marks, ""))[0]
        logs_dir = os.path.join(ag.api("GET", f"/v1/allocation/{alloc_id}")["AllocDir"], "alloc", "logs")
        pattern = re.compile(r"^cat\.stdout\.(\d+)$")

        def files():
            try:
                names = os.listdir(logs_dir)
            except OSError:
                return []
            found = sorted((int(m.group(1)), os.path.join(logs_dir, f)) for f in names if (m := pattern.match(f)))
            return [path for _, path in found]

        def written():
            total = 0
            for path in files():
                try:
                    total += os.path.getsize(path)
                except OSError:
                    pass
            return total

        self.await_producer(ag, alloc_id, marks, f"log throughput {placement} run {i + 1}")
        deadline = time.time() + 60
        while written() < src["size"]:
            if time.time() > deadline:
                raise BenchError(f"only {mib(written() / 1024):.0f} MiB in the log files 60 s after the producer ended")
            time.sleep(0.02)
        paths = files()
        seconds = (max(os.stat(path).st_mtime_ns for path in paths) - self.mark(marks)) / 1e9
        producer = self.producer_s(marks)
        counters = self.log_counters(ag, alloc_id, src["lines"])
        sha = hashlib.sha256()
        got_lines = got_bytes = 0
        for path in paths:
            with open(path, "rb") as f:
                while chunk := f.read(8 * MIB):
                    sha.update(chunk)
                    got_lines += chunk.count(b"\n")
                    got_bytes += len(chunk)
        identical = sha.hexdigest() == src["sha"] and got_bytes == src["size"]
        lost, dup, bad = (0, 0, 0) if identical else self.count_loss(paths, src["lines"])
        ag.stop_job(job_id, timeout=60)
        for path in paths:
            os.remove(path)  # like the baselines' output: no writeback left for the next run
        if not identical or lost:
            self.problem(f"log throughput {placement} run {i + 1}: output differs from the source ({lost} lines lost, "
                         f"{dup} duplicated, {bad} malformed; {len(paths)} files, {got_bytes} bytes, {got_lines} lines)")
        c = counters
        ok = c == {"bytes": src["size"], "lines": src["lines"], "bytes_dropped": 0, "lines_dropped": 0}
        if not ok:
            self.problem(f"log throughput {placement} run {i + 1}: logmon's counters {c} do not match the "
                         f"{src['size']} bytes / {src['lines']} lines written")
        if i == 0:
            out(f"  check:  {len(paths)} files, {got_bytes} bytes, {got_lines} lines, sha256 "
                f"{'identical' if identical else 'DIFFERENT'}; /v1/metrics log counters: {c.get('lines')} lines, "
                f"{c.get('bytes')} bytes written, {c.get('lines_dropped')} / {c.get('bytes_dropped')} dropped"
                f"{'' if ok else '  (MISMATCH)'}")
        return {"s": seconds, "producer_s": producer, "lost": lost}

    def log_counters(self, ag, alloc_id, lines, timeout=15):
        """The task's stdout counters from /v1/metrics, once the sampler (1 s) has seen all lines."""
        deadline = time.time() + timeout
        found = {}
        while time.time() < deadline:
            found = {}
            for c in ag.api("GET", "/v1/metrics").get("Counters", []):
                labels = c.get("Labels") or {}
                if labels.get("alloc_id") != alloc_id or labels.get("stream") != "stdout":
                    continue
                kind = {"drover_task_log_bytes_total": "bytes", "drover_task_log_lines_total": "lines"}.get(c.get("Name"))
                if kind:
                    found[kind if labels.get("outcome") == "written" else kind + "_dropped"] = int(c["Value"])
            if found.get("lines") == lines:
                break
            time.sleep(0.5)
        return found

    @staticmethod
    def count_loss(paths, lines):
        seen = bytearray(lines)
        dup = bad = 0
        for p in paths:
            with open(p, "rb") as f:
                for line in f:
                    try:
                        i = int(line[:12])
                    except ValueError:
                        bad += 1
                        continue
                    if len(line) != LINE_LEN or i >= lines or line != LINE % i:
                        bad += 1
                    elif seen[i]:
                        dup += 1
                    else:
                        seen[i] = 1
        return lines - sum(seen), dup, bad

    # -- 4. many running tasks ---------------------------------------------------------------

    def phase_many(self):
        n = self.many
        out(f"[4] {n} running tasks — shared placement")
        if not self.placement_ok("shared"):
            self.status[("shared", "many")] = "SKIPPED"
            self.problem(f"{n} running tasks: SKIPPED, the shared placement is not available ({FLAG} missing)"
                         if not self.has_flag else f"{n} running tasks: SKIPPED, shared not among --placements")
            out()
            return
        with Agent(self, f"many-shared-n{n}", "shared") as ag:
            time.sleep(3)
            ag.wait_quiet()
            idle = ag.snapshot()
            t0 = time.time_ns()
            ag.submit(sleep_job("many", n))
            running, restarts = wait_running(ag, "many", n, timeout=90 + 2 * n)
            batch_s = (max(a["TaskStates"]["sleep"]["StartedAt"] for a in running.values()) - t0) / 1e9
            time.sleep(5)
            quiet = ag.wait_quiet()
            if quiet:
                out(f"  settle:      {quiet} (the plugins' AOT cache being built) before measuring")
            snap = ag.snapshot()
            overhead = (snap["total"] - idle["total"]) / n
            out(f"  started:     {n} running {batch_s:.1f} s after submit ({n / batch_s:.1f} starts/s; "
                f"PUT /v1/jobs took {ag.submit_s:.2f} s); "
                f"{len(snap['tasks'])} task processes")
            out(f"  processes:   {len(snap['drover'])} Drover processes, PSS {mib(snap['total']):.1f} MiB "
                f"(idle {mib(idle['total']):.1f} MiB) -> {mib(overhead):.2f} MiB per task "
                f"(bare sleep {mib(self.base.get('sleep_pss_kb', 0)):.3f} MiB)")
            out(f"  restarts:    {restarts.line()}")
            heaps = {}
            for pid, r in sorted(snap["drover"].items(), key=lambda kv: (kv[1] != "agent", kv[0]))[:6]:
                rss, threads = status_field(pid, "VmRSS"), status_field(pid, "Threads")
                summary, info = heap_info(pid)  # after RSS/PSS: it runs a full GC
                heaps[r] = dict(info, rss_kb=rss, pss_kb=snap["pss"][pid], threads=threads)
                out(f"  {r}, pid {pid}: RSS {mib(rss):.1f} MiB, PSS {mib(snap['pss'][pid]):.1f} MiB, {threads} threads")
                out(f"      {summary}")
            if len(snap["drover"]) > 6:
                out(f"  … {len(snap['drover']) - 6} more Drover processes not shown")
            stop_s = ag.stop_job("many", timeout=60 + n)
            out(f"  job stop:    all {n} task processes gone {stop_s:.1f} s after DELETE ?purge=true")
            self.results["shared"]["many"] = {"n": n, "total_kb": snap["total"], "overhead_kb": overhead,
                                              "procs": len(snap["drover"]), "heaps": heaps}
        out()

    # -- run + summary -----------------------------------------------------------------------

    def run_phase(self, name, key, fn, *args):
        self.check_build(name)
        try:
            fn(*args)
        except BenchError as e:
            self.status[key] = "FAILED"
            if not getattr(e, "reported", False):
                self.problem(f"{name} FAILED: {e}")
            out()

    def run(self):
        self.detect_flag()
        self.header()
        self.baselines()
        for placement in self.placements:
            if "memory" in self.phases:
                for n in self.mem_ns:
                    self.run_phase(f"per-task overhead {placement} N={n}", (placement, "memory", n),
                                   self.phase_memory, placement, n)
            if "start" in self.phases:
                self.run_phase(f"sequential starts {placement}", (placement, "seq"), self.phase_start_seq, placement)
                self.run_phase(f"concurrent starts {placement}", (placement, "conc"), self.phase_start_conc, placement)
            if "logs" in self.phases:
                self.run_phase(f"log throughput {placement}", (placement, "logs"), self.phase_logs, placement)
        if "many" in self.phases:
            self.run_phase(f"{self.many} running tasks", ("shared", "many"), self.phase_many)
        self.summary()

    def summary(self):
        cols = list(PLACEMENTS)
        base = self.base
        sleep_kb = base.get("sleep_pss_kb") or 0
        spawn50 = pct(base.get("spawn_ms", []), 50)
        rows = []

        def restarted(result):
            return f", {result['restarted']} restarted" if result.get("restarted") else ""

        def cell(placement, key, fn):
            try:
                return fn(self.results[placement])
            except (KeyError, TypeError, ZeroDivisionError, ValueError):
                return self.status.get((placement,) + key, "—")

        for n in self.mem_ns:
            rows.append((f"supervision PSS per task, N={n}",
                         [cell(p, ("memory", n), lambda r: f"{mib(r['memory'][n]['overhead_kb']):.2f} MiB ({r['memory'][n]['overhead_kb'] / sleep_kb:.0f}x)"
                               + restarted(r['memory'][n])) for p in cols],
                         f"bare sleep {mib(sleep_kb):.3f} MiB"))
            rows.append((f"Drover processes, N={n}",
                         [cell(p, ("memory", n), lambda r: f"{r['memory'][n]['procs']}") for p in cols], "—"))
        rows.append(("idle agent PSS",
                     [cell(p, (), lambda r: f"{mib(min(m['idle_kb'] for m in r['memory'].values())):.1f} MiB") for p in cols], "—"))
        for key, label in (("seq", "sequential"), ("conc", "concurrent")):
            rows.append((f"start latency p50/p95/p99, {self.starts} {label}",
                         [cell(p, (key,), lambda r: "{:.0f} / {:.0f} / {:.0f} ms ({:.0f}x)".format(
                             pct(r[key]['lat'], 50), pct(r[key]['lat'], 95), pct(r[key]['lat'], 99),
                             pct(r[key]['lat'], 50) / spawn50) + restarted(r[key])) for p in cols],
                         "`sleep &` {:.2f} / {:.2f} / {:.2f} ms".format(spawn50, pct(base.get('spawn_ms', []), 95),
                                                                   pct(base.get('spawn_ms', []), 99))))
        rows.append((f"starts/s, {self.starts} concurrent",
                     [cell(p, ("conc",), lambda r: f"{r['conc']['rate']:.1f}") for p in cols],
                     f"`sleep &` {base.get('spawn_rate', 0):.0f}/s"))
        if self.source:
            size = mib(self.source['size'] / 1024)
            rows.append((f"log throughput, {size:.0f} MiB (median)",
                         [cell(p, ("logs",), lambda r: f"{r['logs']['mibs']:.0f} MiB/s, {r['logs']['vs_pipe']:.2f}x pipe, "
                                                       f"{r['logs']['vs_file']:.2f}x file") for p in cols],
                         "pipe `cat | cat > file` " + ", ".join(f"{p}: {size / r['logs']['pipe_s']:.0f}" for p, r in self.results.items()
                                                             if "logs" in r) + " MiB/s; file `cat > file` "
                         + ", ".join(f"{p}: {size / r['logs']['file_s']:.0f}" for p, r in self.results.items() if "logs" in r)
                         + " MiB/s"))
            rows.append(("log lines lost", [cell(p, ("logs",), lambda r: f"{r['logs']['lost']}") for p in cols], "0"))
        if "many" in self.results["shared"]:
            m = self.results["shared"]["many"]
            rows.append((f"{m['n']} tasks: Drover PSS total / per task",
                         ["—", f"{mib(m['total_kb']):.0f} MiB / {mib(m['overhead_kb']):.2f} MiB ({m['procs']} procs)"],
                         f"{m['n']} bare sleeps {mib(sleep_kb * m['n']):.0f} MiB"))
            for r, h in m["heaps"].items():
                heap = (f"heap used/committed/max {mib(h['used_kb']):.0f}/{mib(h['committed_kb']):.0f}/{mib(h['max_kb']):.0f} MiB, "
                        f"live {mib(h['live_kb']):.1f} MiB; " if h.get("max_kb") else "")
                rows.append((f"{m['n']} tasks: {r}",
                             ["—", f"{heap}RSS {mib(h['rss_kb']):.0f} MiB, PSS {mib(h['pss_kb']):.0f} MiB, {h['threads']} threads"],
                             "—"))
        elif ("shared", "many") in self.status:
            rows.append((f"{self.many} running tasks", ["—", self.status[("shared", "many")]], "—"))
        for kind, flags in self.flags.items():
            out(f"JVM flags, {kind}: {flags}")
        out()
        out("Summary (paste into docs/performance.md; ratios against the baseline column, same run)")
        out("```")
        out(f"Drover supervision, {'--quick' if self.quick else 'full'} run, {os.cpu_count()} cores, "
            f"{time.strftime('%Y-%m-%d')}, {FLAG} {'present' if self.has_flag else 'MISSING (per_task only)'}")
        rows = [r for r in rows if any(c != "—" for c in r[1])]  # phases not run
        header = ["measure"] + cols + ["baseline"]
        table = [header] + [[label] + cells + [b] for label, cells, b in rows]
        widths = [max(len(r[i]) for r in table) for i in range(len(header))]
        for i, r in enumerate(table):
            out("| " + " | ".join(c.ljust(widths[j]) for j, c in enumerate(r)) + " |")
            if i == 0:
                out("|" + "|".join("-" * (w + 2) for w in widths) + "|")
        out("```")
        if self.problems:
            out(f"\n{len(self.problems)} problem(s):")
            for p in self.problems:
                out("  - " + p.splitlines()[0])
        else:
            out("\nNo problems: every phase ran, nothing left over.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="N=20, 128 MiB of logs, 100 running tasks")
    ap.add_argument("--placements", default=",".join(PLACEMENTS), help="comma-separated subset of per_task,shared")
    ap.add_argument("--phases", default=",".join(PHASES), help="comma-separated subset of " + ",".join(PHASES))
    ap.add_argument("--n", type=int, help="use this N for the memory and start phases instead of the defaults")
    ap.add_argument("--keep", action="store_true", help="keep agent logs and data dirs (minus alloc dirs) in the work dir")
    args = ap.parse_args()
    args.placements = [p for p in args.placements.split(",") if p]
    args.phases = [p for p in args.phases.split(",") if p]
    for p in args.placements:
        if p not in PLACEMENTS:
            ap.error(f"unknown placement {p!r}; use per_task or shared")
    for p in args.phases:
        if p not in PHASES:
            ap.error(f"unknown phase {p!r}; use {', '.join(PHASES)}")
    if os.geteuid() != 0:
        print("supervision.py: needs root (the agent places tasks in cgroups)", file=sys.stderr)
        return 1

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    bench = Bench(args)
    interrupted = False
    try:
        bench.run()
    except KeyboardInterrupt:
        interrupted = True
        out("\ninterrupted: cleaning up")
    except BenchError as e:
        bench.problem(str(e))
    finally:
        # Last sweep: anything still referring to our work dir is ours and is left over.
        table = scan()
        left = [pid for pid, (_, a) in table.items() if pid != os.getpid() and refers_to(pid, a, bench.root)]
        if left:
            bench.problem(f"{len(left)} processes of the work dir {bench.root} left at exit (killing them):\n"
                          + describe(left, table))
            alive = kill_pids(left, bench.root)
            if alive:
                bench.problem(f"{len(alive)} of them survive SIGKILL: {alive[:10]}")
        if bench.kept:
            for name in os.listdir(bench.root):
                p = os.path.join(bench.root, name)
                if p not in bench.kept:
                    shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.remove(p)
            out(f"agent and plugin logs kept in {bench.root}")
        else:
            shutil.rmtree(bench.root, ignore_errors=True)
    if interrupted:
        return 130
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
