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
import argparse, hashlib, os, re, shlex, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (ROOT, DROVER, JAVA_HOME, MIB, BenchError, BenchRun, out, progress, mib, pct, pss_kb,  # noqa: E402
                    status_field, mem_available_kb, read_bytes, heap_info, print_table, run_main, sleep_job,
                    spawn_baseline, describe)
from agent import Agent as DroverAgent, wait_running, latencies_ms  # noqa: E402

PLACEMENTS = ("per_task", "shared")
PHASES = ("memory", "start", "logs", "many")
FLAG = "-plugin-placement"
# Fixed-width numbered lines: 12 digits + text = 64 bytes, so 1 GiB is exactly 16 Mi lines.
LINE = b"%012d drover log throughput line abcdefghijklmnopqrstuvw\n"
LINE_LEN = len(LINE % 0)
assert LINE_LEN == 64


# ---------------------------------------------------------------------------------------------
# One agent in a placement

class Agent(DroverAgent):
    def __init__(self, bench, label, placement):
        super().__init__(bench, label, args=[FLAG, placement] if bench.has_flag else [])
        self.placement = placement

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


def fmt_lat(lat):
    return f"p50 {pct(lat, 50):8.1f} ms   p95 {pct(lat, 95):8.1f} ms   p99 {pct(lat, 99):8.1f} ms"


# ---------------------------------------------------------------------------------------------

class Bench(BenchRun):
    mark = "  !!"

    def __init__(self, args):
        super().__init__("drover-supervision-", keep=args.keep)
        self.quick = args.quick
        self.placements = args.placements
        self.phases = args.phases
        self.has_flag = False
        self.default_placement = None
        self.results = {p: {} for p in PLACEMENTS}
        self.status = {}  # (placement, phase[, n]) -> FAILED / SKIPPED
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

    def baselines(self):
        n = self.starts
        ms, pss = spawn_baseline(n)
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
        print_table(["measure"] + cols + ["baseline"], [[label] + cells + [b] for label, cells, b in rows])
        out("```")

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

    return run_main(Bench(args), none="No problems: every phase ran, nothing left over.")


if __name__ == "__main__":
    sys.exit(main())
