#!/usr/bin/env python3
"""Per-task plugin JVMs under real load: PSS of N executor + N logmon JVMs supervising `sleep` tasks.

For each option set: starts `bin/drover agent -plugin-placement per_task` (plugin JVM options via
`-Ddrover.plugin.jvm.options`, extra environment for agent and plugins), runs a one-task job first so
the plugins' class data caches exist (the steady state after the first task of a build), then a job of
N tasks, waits `--settle` s (native heap trimming runs every 5 s), and reports per plugin role: mean
PSS, PSS anon, PSS file, threads, and where one plugin's private dirty memory is (smaps categories:
Java heap, CDS archives, code cache, malloc arenas, thread stacks, other anonymous).

Usage: bench/jvm/live_plugins.py [--n 50] [--settle 15] [--set name='<jvm options>'|default [--env name=K=V]] ...
       bench/jvm/live_plugins.py --default       (the launcher's built-in options only)
Reuses bench/supervision.py's Agent (root needed: tasks go into cgroups).
"""
import argparse, os, re, statistics, sys, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import supervision as sv  # noqa: E402
from agent import wait_running  # noqa: E402
from common import sleep_job  # noqa: E402
from procs import smaps_rollup  # noqa: E402


def smaps_categories(pid):
    """Private dirty KiB by kind of mapping."""
    cats = {}
    cur = None
    try:
        lines = open(f"/proc/{pid}/smaps").read().splitlines()
    except OSError:
        return cats
    for line in lines:
        m = re.match(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$", line)
        if m:
            start, end, perm, name = int(m[1], 16), int(m[2], 16), m[3], m[4].strip()
            size = end - start
            if name.endswith(".jsa") or name.endswith(".aot"):
                cur = "cds " + ("base" if "/lib/server/" in name else "plugin")
            elif name == "[heap]":
                cur = "malloc"
            elif name.startswith("/") or name.startswith("["):
                cur = "libs/other"
            elif "x" in perm:
                cur = "code cache"
            elif start < 0x100000000:
                cur = "java heap"
            elif 0x800000000 <= start < 0x900000000:
                cur = "class space"
            elif start % (64 << 20) == 0 and size <= (64 << 20):
                cur = "malloc"
            elif size <= (1 << 20) + 8192:
                cur = "stacks/small"
            else:
                cur = "anon other"
        elif line.startswith("Private_Dirty:") and cur:
            cats[cur] = cats.get(cur, 0) + int(line.split()[1])
    return cats


def training(ag):
    """Cache-creating JVMs of this agent still running (training, dump or check runs: "aot-…" roles)."""
    return [p for p, r in ag.processes()[0].items() if r.startswith("aot-")]


def measure(bench, name, opts, env, n, settle):
    saved = dict(os.environ)
    if opts is not None and opts != "default":
        # not DROVER_JAVA_OPTS: bin/drover splits that at spaces; the java launcher honours quotes here
        os.environ["JDK_JAVA_OPTIONS"] = f'"-Ddrover.plugin.jvm.options={opts}"'
    os.environ.update(env)
    try:
        with sv.Agent(bench, f"live-{name}", "per_task") as ag:
            ag.submit(sleep_job("warm", 1))
            wait_running(ag, "warm", 1, timeout=120)
            t0 = time.time()
            while time.time() - t0 < 120 and (busy := training(ag)):
                time.sleep(0.5)
            time.sleep(1)
            while training(ag):
                time.sleep(0.5)
            ag.stop_job("warm", timeout=60)
            t = time.time()
            ag.submit(sleep_job("bench", n))
            wait_running(ag, "bench", n, timeout=90 + 3 * n)
            all_s = time.time() - t
            time.sleep(settle)
            drover, tasks, table = ag.processes()
            res = {}
            for role in ("executor", "logmon"):
                pids = [p for p, r in drover.items() if r == role]
                rs = [smaps_rollup(p) for p in pids]
                cats = [smaps_categories(p) for p in pids]
                keys = sorted({k for c in cats for k in c})
                res[role] = {
                    "n": len(pids),
                    "pss": statistics.mean(r.get("Pss", 0) for r in rs) / 1024,
                    "anon": statistics.mean(r.get("Pss_Anon", 0) for r in rs) / 1024,
                    "file": statistics.mean(r.get("Pss_File", 0) for r in rs) / 1024,
                    "threads": statistics.mean(len(os.listdir(f"/proc/{p}/task")) for p in pids),
                    "cats": {k: statistics.mean(c.get(k, 0) for c in cats) / 1024 for k in keys},
                    "cache": any(any("SharedArchiveFile" in a or "AOTCache" in a for a in table[p][1]) for p in pids[:1]),
                }
            ag.stop_job("bench", timeout=60 + n)
            return res, all_s
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=50)
    ap.add_argument("--settle", type=float, default=15)
    ap.add_argument("--set", action="append", default=[], help="name=<plugin JVM options> ('default': the launcher's)")
    ap.add_argument("--env", action="append", default=[], help="name=KEY=VALUE (for that set's agent and plugins)")
    ap.add_argument("--default", action="store_true", help="also measure the launcher's built-in options")
    args = ap.parse_args()
    sets = ([("default", None)] if args.default or not args.set else []) + [tuple(s.split("=", 1)) for s in args.set]
    envs = {}
    for e in args.env:
        name, kv = e.split("=", 1)
        k, v = kv.split("=", 1)
        envs.setdefault(name, {})[k] = v
    bench = sv.Bench(argparse.Namespace(quick=True, keep=False, placements=["per_task"], phases=["memory"], n=args.n))
    bench.has_flag = True
    try:
        for name, opts in sets:
            res, all_s = measure(bench, name, opts, envs.get(name, {}), args.n, args.settle)
            print(f"== {name}: N={args.n}, all running in {all_s:.1f} s, load {open('/proc/loadavg').read().split()[0]}"
                  + (f", env {envs[name]}" if name in envs else ""), flush=True)
            for role, r in res.items():
                cats = ", ".join(f"{k} {v:.1f}" for k, v in sorted(r["cats"].items(), key=lambda kv: -kv[1]))
                print(f"   {role:8} {r['n']}x  PSS {r['pss']:.1f} MiB (anon {r['anon']:.1f}, file {r['file']:.1f}), "
                      f"{r['threads']:.0f} threads, cache {'yes' if r['cache'] else 'NO'}; private dirty MiB: {cats}", flush=True)
            print(f"   per task (both plugins): {sum(r['pss'] for r in res.values()):.1f} MiB PSS", flush=True)
    finally:
        import shutil
        shutil.rmtree(bench.root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
