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
import argparse, hashlib, os, re, statistics, subprocess, sys, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (ROOT, DROVER, JAVA_HOME, MIB, BenchError, BenchRun, out, progress, mib, pct, heap_info,  # noqa: E402
                    print_table, run_main, sleep_job, spawn_baseline)
from procs import pss_kb, status_field, mem_available_kb, read_bytes, describe  # noqa: E402
from agent import Agent as DroverAgent, wait_running, latencies_ms  # noqa: E402
from log_throughput import LogThroughput  # noqa: E402

PLACEMENTS = ("per_task", "shared")
PHASES = ("memory", "start", "logs", "many")
FLAG = "-plugin-placement"


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
        if self.quick:
            self.mem_ns, self.starts, self.log_bytes, self.many = [20], 20, 128 * MIB, 100
        else:
            self.mem_ns, self.starts, self.log_bytes, self.many = [50, 200], 200, 1024 * MIB, 500
        if args.n:
            self.mem_ns, self.starts = [args.n], args.n
        self.logs = LogThroughput(self, self.log_bytes, 2 if self.quick else 3)

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

    # -- 3. log throughput (bench/log_throughput.py) -------------------------------------------

    def phase_logs(self, placement):
        self.logs.phase(placement, Agent(self, f"logs-{placement}", placement))

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
        if self.logs.source:
            size = mib(self.logs.source['size'] / 1024)
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
