#!/usr/bin/env python3
"""Benchmark for issue 5 (exec driver on the isolated executor, a real OCI runtime), next to
baselines measured in the same run:

  1. start latency (StartedAt - CreateTime) of N sequential exec `sleep` tasks, per runtime (crun,
     runc: `plugin "exec" { config { runtime = "..." } }`); baseline: `<runtime> run --detach` of
     the very spec the executor wrote for such a task (same bind mounts, namespaces, user), one
     after each Drover start
  2. sandbox setup vs the size of chroot_env: N exec starts with the default chroot_env alternating
     with N on a second agent whose chroot_env also binds a directory of --big-files files (--big-mib MiB in all); the second must not
     be slower (bind mounts: O(1), nothing is copied)
  3. PSS: N exec tasks and N raw_exec tasks running; Drover's PSS per task (agent + plugin JVMs,
     minus idle), the task processes' own PSS, and any OCI runtime process left behind (must be 0)

Every phase runs its own `bin/drover agent -dev -config <file>` on a fresh data dir and a free port;
afterwards nothing of that data dir may be left in /proc (bench/agent.py).

Usage: bench/isolation.py [--n N] [--runtimes crun,runc] [--phases start,chroot,pss] [--big-files F] [--big-mib M]
  default: N = 50, 20 000 files / 1 GiB in the big directory (~5 minutes)
Needs root and a built distribution (dist/target/lib). Talks only to 127.0.0.1.
Report on stdout, progress on stderr. Exit status 1 if a phase failed or anything was left over.
"""
import argparse, json, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BenchError, BenchRun, out, progress, mib, pct, print_table, run_main, sleep_job  # noqa: E402
from procs import scan, pss_kb, describe, proc_args  # noqa: E402
from agent import Agent, wait_running, latencies_ms  # noqa: E402

RUN_DIR = "/run/drover"  # OciRuntime.RUN_DIR: <runtime>/bundles/<container id>/config.json
RUNTIMES = ("crun", "runc")
PHASES = ("start", "chroot", "pss")
DEFAULT_CHROOT = ["/bin", "/etc", "/lib", "/lib32", "/lib64", "/run/resolvconf", "/sbin", "/usr"]


def fmt(lat):
    return f"p50 {pct(lat, 50):7.1f} ms   p95 {pct(lat, 95):7.1f} ms"


def start_one(ag, job_id, driver="exec"):
    """One `sleep` task of `driver`; returns once it runs."""
    ag.api("PUT", "/v1/jobs", sleep_job(job_id, driver=driver))
    running, _ = wait_running(ag, job_id, 1, timeout=120)
    return running


def hcl(runtime="crun", chroot=None):
    text = f'plugin "exec" {{\n  config {{ runtime = "{runtime}" }}\n}}\n'
    if chroot is not None:
        entries = ", ".join(f'"{k}" = "{v}"' for k, v in chroot.items())
        text += f"client {{\n  chroot_env = {{ {entries} }}\n}}\n"
    return text


class Bench(BenchRun):
    def __init__(self, args):
        super().__init__("drover-isolation-")
        self.n, self.runtimes, self.phases = args.n, args.runtimes, args.phases
        self.big_files, self.big_mib = args.big_files, args.big_mib
        self.rows = []

    # -- 1. start latency vs a bare runtime run ---------------------------------------------

    def sequential(self, ag, prefix, n):
        lat = []
        for i in range(n):
            running = start_one(ag, f"{prefix}-{i}")
            lat += latencies_ms(running)
            ag.stop_job(f"{prefix}-{i}")
            if (i + 1) % 20 == 0 and i + 1 < n:
                progress(f"{ag.label}: {i + 1}/{n} starts, p50 so far {pct(lat, 50):.0f} ms")
        return lat

    def phase_start(self, runtime):
        out(f"[1] exec start latency — runtime {runtime}, {self.n} sequential jobs (count=1, running, then stopped)")
        with Agent(self, f"start-{runtime}", config=hcl(runtime)) as ag:
            start_one(ag, "warmup")  # the plugin host and its class data cache come up once
            spec = self.capture_spec(ag, runtime)
            ag.stop_job("warmup")
            lat, base = [], []
            for i in range(self.n):  # interleaved: both see the same machine load
                lat += self.sequential(ag, f"seq-{i}", 1)
                base += self.bare_runs(runtime, spec, 1, first=i)
                if (i + 1) % 20 == 0 and i + 1 < self.n:
                    progress(f"{ag.label}: {i + 1}/{self.n} starts, p50 so far {pct(lat, 50):.0f} ms (bare {pct(base, 50):.0f} ms)")
        ratio = pct(lat, 50) / pct(base, 50)
        out(f"  drover exec: {fmt(lat)}   (CreateTime -> StartedAt)")
        out(f"  bare {runtime}:   {fmt(base)}   (`{runtime} run --detach` of the executor's own config.json)")
        out(f"  ratio p50:   {ratio:.1f}x   (difference {pct(lat, 50) - pct(base, 50):.0f} ms: API, alloc/task dirs, "
            f"logmon, executor RPC, cgroup, create+start)")
        self.rows.append((f"exec start p50/p95, {runtime}", f"{pct(lat, 50):.0f} / {pct(lat, 95):.0f} ms",
                          f"`{runtime} run -d` {pct(base, 50):.1f} / {pct(base, 95):.1f} ms", f"{ratio:.1f}x"))
        out()

    def capture_spec(self, ag, runtime):
        """config.json of the running warm-up task's container, as the executor wrote it."""
        bundles = os.path.join(RUN_DIR, runtime, "bundles")
        alloc = next(iter(ag.api("GET", "/v1/job/warmup/allocations")))["ID"]
        for cid in os.listdir(bundles):
            if alloc in cid:
                with open(os.path.join(bundles, cid, "config.json")) as f:
                    return json.load(f)
        raise BenchError(f"no bundle of alloc {alloc} in {bundles}: {os.listdir(bundles)}")

    def bare_runs(self, runtime, spec, n, first=0):
        """`<runtime> run --detach` n times: a fresh task-dir-like root and /alloc per run, the same
        mounts, namespaces, user and capabilities; the runtime makes its own cgroup."""
        state = os.path.join(self.root, f"bare-{runtime}-state")
        times = []
        for i in range(first, first + n):
            work = tempfile.mkdtemp(prefix=f"bare-{runtime}-{i}.", dir=self.root)
            rootfs, alloc, bundle = (os.path.join(work, d) for d in ("task", "alloc", "bundle"))
            for d in (rootfs, alloc, bundle, os.path.join(rootfs, "local"), os.path.join(rootfs, "secrets"),
                      os.path.join(rootfs, "tmp")):
                os.makedirs(d)
            os.chmod(rootfs, 0o755)
            os.chmod(os.path.join(rootfs, "tmp"), 0o1777)
            s = json.loads(json.dumps(spec))
            s["root"]["path"] = rootfs
            for m in s.get("mounts", []):
                if m.get("destination") == "/alloc":
                    m["source"] = alloc
            cid = f"drover-bench-{runtime}-{i}"
            s["linux"]["cgroupsPath"] = "/" + cid  # top level: the runtime's delete removes all of it
            with open(os.path.join(bundle, "config.json"), "w") as f:
                json.dump(s, f)
            argv = [runtime, "--root", state, "run", "--detach", "--bundle", bundle, cid]
            # The container inherits stdout/stderr: a file, not a pipe, or we would wait for the sleep.
            with open(os.path.join(work, "stderr"), "w+b") as err:
                t0 = time.perf_counter_ns()
                r = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=err)
                times.append((time.perf_counter_ns() - t0) / 1e6)
                subprocess.run([runtime, "--root", state, "delete", "--force", cid], capture_output=True)
                if r.returncode != 0:
                    err.seek(0)
                    raise BenchError(f"{' '.join(argv)}: exit {r.returncode}: {err.read().decode(errors='replace')[:400]}")
            shutil.rmtree(work, ignore_errors=True)
        return times

    # -- 2. setup time vs chroot_env size -----------------------------------------------------

    def make_big_dir(self):
        big = os.path.join(self.root, "big")
        per_dir, size = 1000, self.big_mib * 1024 * 1024 // self.big_files
        block = os.urandom(min(size, 1 << 20))
        t0 = time.time()
        for i in range(self.big_files):
            d = os.path.join(big, f"d{i // per_dir:03d}")
            if i % per_dir == 0:
                os.makedirs(d)
            with open(os.path.join(d, f"f{i:05d}"), "wb") as f:
                left = size
                while left > 0:
                    left -= f.write(block[:left])
        out(f"  big dir:     {big}: {self.big_files} files, {self.big_mib} MiB, written in {time.time() - t0:.1f} s")
        t0 = time.time()
        subprocess.run(["cp", "-a", big, big + ".copy"], check=True)
        copy_s = time.time() - t0
        shutil.rmtree(big + ".copy", ignore_errors=True)
        out(f"  cp -a:       {copy_s:.1f} s to copy it (what a copying chroot would add to every start)")
        return big, copy_s

    def phase_chroot(self):
        out(f"[2] sandbox setup vs chroot_env size — {self.n} sequential exec starts each, runtime {self.runtimes[0]}")
        big, copy_s = self.make_big_dir()
        default = {p: p for p in DEFAULT_CHROOT}
        results = {"default": [], "default + big": []}
        # Two agents up at once, starts alternating between them: both see the same machine load.
        with Agent(self, "chroot-default", config=hcl(self.runtimes[0], default)) as small, \
                Agent(self, "chroot-big", config=hcl(self.runtimes[0], dict(default, **{big: "/big"}))) as large:
            for ag in (small, large):
                start_one(ag, "warmup")
                ag.stop_job("warmup")
            for i in range(self.n):
                for label, ag in (("default", small), ("default + big", large)):
                    results[label] += self.sequential(ag, f"chroot-{i}", 1)
                if (i + 1) % 20 == 0 and i + 1 < self.n:
                    progress(f"chroot: {i + 1}/{self.n} start pairs")
        for label, lat in results.items():
            out(f"  {label:14s} {fmt(lat)}")
        a, b = pct(results["default"], 50), pct(results["default + big"], 50)
        out(f"  ratio p50:   {b / a:.2f}x with {self.big_files} more files / {self.big_mib} MiB in chroot_env "
            f"(a copy would add {copy_s:.1f} s per start)")
        self.rows.append((f"start p50 with chroot_env + {self.big_files} files / {self.big_mib} MiB",
                          f"{b:.0f} ms", f"default chroot_env {a:.0f} ms; cp -a {copy_s:.1f} s", f"{b / a:.2f}x"))
        shutil.rmtree(big, ignore_errors=True)
        out()

    # -- 3. PSS per isolated task --------------------------------------------------------------

    def phase_pss(self):
        n = self.n
        out(f"[3] PSS per task — {n} running exec tasks vs {n} raw_exec tasks, runtime {self.runtimes[0]}")
        per = {}
        with Agent(self, "pss", config=hcl(self.runtimes[0])) as ag:
            for driver in ("raw_exec", "exec"):
                start_one(ag, f"warm-{driver}", driver)
                ag.stop_job(f"warm-{driver}")
            time.sleep(3)
            for driver in ("raw_exec", "exec"):
                idle = sum(pss_kb(p) for p in ag.processes()[0])
                ag.api("PUT", "/v1/jobs", sleep_job(driver, n, driver))
                wait_running(ag, driver, n, timeout=300)
                time.sleep(3)
                drover, tasks, _ = ag.processes()
                total = sum(pss_kb(p) for p in drover)
                leftovers = [p for p in tasks if os.path.basename((proc_args(p) or [""])[0]) in RUNTIMES]
                if len(tasks) != n:
                    self.problem(f"{driver}: {len(tasks)} task processes for {n} tasks:\n{describe(tasks, scan())}")
                per[driver] = ((total - idle) / n, sum(pss_kb(p) for p in tasks) / max(len(tasks), 1), len(tasks))
                out(f"  {driver:9s} Drover PSS {mib(total):.1f} MiB (idle {mib(idle):.1f}) -> {mib(per[driver][0]):.2f} MiB/task; "
                    f"{per[driver][2]} task processes, {mib(per[driver][1]):.3f} MiB PSS each; "
                    f"runtime processes left: {len(leftovers)}")
                if leftovers:
                    self.problem(f"{len(leftovers)} crun/runc processes stay behind running exec tasks: {leftovers[:5]}")
                ag.stop_job(driver, timeout=120)
        self.rows.append((f"Drover PSS per task, {n} running", f"exec {mib(per['exec'][0]):.2f} MiB",
                          f"raw_exec {mib(per['raw_exec'][0]):.2f} MiB", f"{per['exec'][0] / max(per['raw_exec'][0], 1):.2f}x"))
        self.rows.append(("task process PSS", f"exec {mib(per['exec'][1]):.3f} MiB",
                          f"raw_exec {mib(per['raw_exec'][1]):.3f} MiB", "—"))
        out()

    def run(self):
        out(f"Drover isolation benchmark, N={self.n}, {os.cpu_count()} cores, {time.strftime('%Y-%m-%d %H:%M')}, "
            + ", ".join(subprocess.run([r, "--version"], capture_output=True, text=True).stdout.splitlines()[0]
                        for r in self.runtimes))
        out()
        steps = ([(f"start {r}", self.phase_start, r) for r in self.runtimes] if "start" in self.phases else []) \
            + ([("chroot", self.phase_chroot)] if "chroot" in self.phases else []) \
            + ([("pss", self.phase_pss)] if "pss" in self.phases else [])
        for name, fn, *args in steps:
            try:
                fn(*args)
            except BenchError as e:
                self.failed(name, e)
                out()
        out("Summary (ratios against the baseline column, same run)")
        out("```")
        print_table(("measure", "drover", "baseline", "ratio"), self.rows)
        out("```")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--runtimes", default="crun,runc")
    ap.add_argument("--phases", default=",".join(PHASES))
    ap.add_argument("--big-files", type=int, default=20000)
    ap.add_argument("--big-mib", type=int, default=1024)
    args = ap.parse_args()
    args.runtimes = [r for r in args.runtimes.split(",") if r]
    args.phases = [p for p in args.phases.split(",") if p]
    if os.geteuid() != 0:
        print("isolation.py: needs root (the agent runs OCI runtimes and places tasks in cgroups)", file=sys.stderr)
        return 1
    for r in args.runtimes:
        if r not in RUNTIMES or not shutil.which(r):
            print(f"isolation.py: runtime {r!r} not found (apt-get install {r})", file=sys.stderr)
            return 1
    return run_main(Bench(args))


if __name__ == "__main__":
    sys.exit(main())
