"""What the benchmarks in bench/ share: output, percentiles and tables, the agent's HTTP API on
127.0.0.1, jcmd, the bare `sleep &` baseline, and the scaffolding of a run (problems, the last sweep
for leftovers, exit status). /proc (PSS, process scans, leftovers) is in bench/procs.py; an agent
under test (start, jobs, a checked stop) in bench/agent.py.

Stdlib only. Scripts import it as `import common` after putting bench/ on sys.path.
"""
import json, os, re, shutil, signal, socket, statistics, subprocess, sys, tempfile, time
import urllib.error, urllib.request

from procs import pss_kb, scan, leftovers, describe, kill_pids

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DROVER = os.path.join(ROOT, "bin", "drover")
JAVA_HOME = os.environ.get("JAVA_HOME") or "/usr/lib/jvm/temurin-25-jdk-amd64"
MIB = 1024 * 1024
# Never go through a proxy: every request is for 127.0.0.1.
HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


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


def print_table(header, rows):
    """A Markdown table, columns padded to their widest cell."""
    table = [list(header)] + [list(r) for r in rows]
    widths = [max(len(r[i]) for r in table) for i in range(len(header))]
    for i, r in enumerate(table):
        out("| " + " | ".join(c.ljust(widths[j]) for j, c in enumerate(r)) + " |")
        if i == 0:
            out("|" + "|".join("-" * (w + 2) for w in widths) + "|")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recv_exact(sock, n):
    """Exactly n bytes from a socket; BenchError if the peer closes first."""
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise BenchError(f"connection closed after {len(data)} of {n} bytes")
        data += chunk
    return data


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
# JVMs

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
# The agent's HTTP API (127.0.0.1 only)

def request(addr, method, path, body=None, timeout=120):
    """The response body of one API call; BenchError with the status and body if it fails."""
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(addr + path, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with HTTP.open(req, timeout=timeout) as r:
            return r.read()
    except urllib.error.HTTPError as e:
        raise BenchError(f"{method} {path}: HTTP {e.code}: {e.read().decode(errors='replace').strip()[:800]}")
    except (urllib.error.URLError, OSError) as e:
        raise BenchError(f"{method} {path}: {e}")


def api(addr, method, path, body=None, timeout=120):
    """One API call, its JSON answer decoded (None for an empty body)."""
    return json.loads(request(addr, method, path, body, timeout) or b"null")


def wait_health(addr, proc, timeout=90, poll=0.1, log=None, what="agent"):
    """Polls GET /v1/agent/health until it answers; BenchError (with the log's tail) if `proc` exits
    first or `timeout` s pass."""
    deadline = time.time() + timeout
    while True:
        rc = proc.poll()
        if rc is not None:
            raise BenchError(f"{what} exited with status {rc} before its API came up"
                             + (f"; its log:\n{tail(log)}" if log else ""))
        try:
            request(addr, "GET", "/v1/agent/health", timeout=2)
            return
        except BenchError:
            pass
        if time.time() > deadline:
            raise BenchError(f"{what} API did not come up on {addr} within {timeout} s"
                             + (f"; its log:\n{tail(log)}" if log else ""))
        time.sleep(poll)


def sleep_job(job_id, count=1, driver="raw_exec", task="sleep"):
    # The job's default restart policy (service: 2 attempts, 15 s delay), as a user gets it: a start
    # that fails (e.g. a plugin handshake timing out under load) is retried, counted and reported;
    # a task that runs out of attempts fails the phase with its events.
    return {"Job": {"ID": job_id, "Type": "service", "TaskGroups": [{
        "Name": "g", "Count": count,
        "Tasks": [{"Name": task, "Driver": driver,
                   "Config": {"command": "/bin/sleep", "args": ["100000"]}}]}]}}


# ---------------------------------------------------------------------------------------------
# Baseline: a shell starting `sleep` in the background

def spawn_baseline(n, seconds=100000):
    """Time for bash to start `sleep` in the background until /proc/<pid> exists, n times:
    ([ms], mean PSS KiB of one such sleep). The sleeps are killed afterwards."""
    script = f"""
for i in $(seq 1 {n}); do
  s=$(date +%s%N); sleep {seconds} >/dev/null 2>&1 & p=$!
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
        if p in table and table[p][1] == ["sleep", str(seconds)]:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
    return micros, pss


# ---------------------------------------------------------------------------------------------
# A run: its work dir, its problems, the last sweep, the exit status

class BenchRun:
    """Base of a script's Bench: a work dir every agent and scratch file lives under, so one sweep
    of /proc at the end finds whatever was left; problems are printed as they happen and listed
    at the end."""
    mark = "  PROBLEM:"

    def __init__(self, prefix, keep=False):
        self.root = tempfile.mkdtemp(prefix=prefix)
        self.keep = keep
        self.kept = []  # paths under root to keep at the end (logs of failed agents, or all with keep)
        self.problems = []
        self.flags = {}

    def problem(self, msg):
        self.problems.append(msg)
        out(f"{self.mark} {msg}")

    def failed(self, name, e):
        """Records a BenchError, unless the agent it came out of already reported it."""
        if not getattr(e, "reported", False):
            self.problem(f"{name} FAILED: {e}" if name else str(e))

    def note_flags(self, kind, args):
        """Remembers the JVM flags of the first agent / plugin seen, for the record."""
        if kind not in self.flags and args:
            end = args.index("-cp") if "-cp" in args else len(args)
            self.flags[kind] = " ".join(a for a in args[1:end] if not a.startswith("-Djava.util.logging"))

    def run(self):
        raise NotImplementedError

    def sweep(self):
        """Last sweep: anything still referring to the work dir is ours and is left over."""
        table = scan()
        left = leftovers(self.root, table)
        if left:
            self.problem(f"{len(left)} processes of the work dir {self.root} left at exit (killing them):\n"
                         + describe(left, table))
            alive = kill_pids(left, self.root)
            if alive:
                self.problem(f"{len(alive)} of them survive SIGKILL: {alive[:10]}")
        if self.kept:
            for name in os.listdir(self.root):
                p = os.path.join(self.root, name)
                if p not in self.kept:
                    shutil.rmtree(p, ignore_errors=True) if os.path.isdir(p) else os.remove(p)
            out(f"agent and plugin logs kept in {self.root}")
        else:
            shutil.rmtree(self.root, ignore_errors=True)

    def list_problems(self, none=None):
        if self.problems:
            out(f"\n{len(self.problems)} problem(s):")
            for p in self.problems:
                out("  - " + p.splitlines()[0])
        elif none:
            out("\n" + none)


def run_main(bench, none=None):
    """Runs bench.run() with SIGTERM as Ctrl-C, always sweeps, lists the problems; the exit status:
    130 if interrupted, 1 if anything went wrong, else 0. `none`: the line to print without problems."""
    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    interrupted = False
    try:
        bench.run()
    except KeyboardInterrupt:
        interrupted = True
        out("\ninterrupted: cleaning up")
    except BenchError as e:
        bench.failed(None, e)
    finally:
        bench.sweep()
    bench.list_problems(none)
    return 130 if interrupted else (1 if bench.problems else 0)
