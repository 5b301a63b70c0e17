#!/usr/bin/env python3
"""Agent and CLI JVM option sets: `drover job status` wall time and the agent's start time and memory.

CLI: with one agent running (a 2-task raw_exec job submitted), runs `java <cli options> -cp <lib>/*
dev.drover.dist.Main job status bench` K times per option set (rounds interleaved across sets) and
reports the wall time (spawn -> exit, as a user waits for it) and the CPU time.
AOT sets get their cache first with a one-step training run (-XX:AOTCacheOutput) of the command given.

Agent: per option set, starts `java <agent options> ... agent -dev` on a fresh data dir, reports the
time until /v1/agent/health answers, RSS/PSS 10 s after that (idle), then runs a 5-task job, stops it,
and reports RSS/PSS 10 s later (after work). With --agent-runs N the median of N agents.

Usage: bench/jvm/cli_agent_jvm.py [-k 20] [--lib dist/target/lib] [--only-cli|--only-agent]
Stdlib only; talks to 127.0.0.1 only. Copies the lib dir first (a rebuild cannot change it under us).
"""
import argparse, os, shutil, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import ROOT, JAVA_HOME, BenchError, api, sleep_job, wait_health  # noqa: E402
from procs import smaps_rollup, stop_process  # noqa: E402

JAVA = os.path.join(JAVA_HOME, "bin", "java")
MAIN = "dev.drover.dist.Main"

NATIVE = "--enable-native-access=ALL-UNNAMED"
# bin/drover before issue 4 part 3 (CLI and agent alike)
CURRENT = [NATIVE, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss512k", "-XX:-UsePerfData"]
XLOG = ["-Xlog:disable", "-Xlog:all=warning:stderr"]
NOREL = ["-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"]
LEAN_CLI = CURRENT + ["-XX:+IgnoreUnrecognizedVMOptions", "-XX:CICompilerCount=1"] + XLOG + NOREL
LEAN_AGENT = CURRENT + ["-XX:+IgnoreUnrecognizedVMOptions", "-Xms16m", "-Xmx256m", "-XX:+ExitOnOutOfMemoryError",
                        "-XX:TrimNativeHeapInterval=5000", "-XX:CICompilerCount=1"] + XLOG + NOREL

# name -> (options, AOT training command or None)
CLI_SETS = {
    "jdk-default": ([NATIVE], None),
    "current": (CURRENT, None),
    "Xint": ([o for o in CURRENT if not o.startswith("-XX:TieredStopAtLevel")] + ["-Xint"], None),
    "lean": (LEAN_CLI, None),
    "current+aot(version)": (CURRENT, ["version"]),
    "current+aot(job status)": (CURRENT, ["job", "status", "-address", "@ADDR@", "bench"]),
    "lean+aot(version)": (LEAN_CLI, ["version"]),
    "lean+aot(status, no agent)": (LEAN_CLI, ["job", "status", "-address", "http://127.0.0.1:9", "bench"]),
    "lean+aot(job status)": (LEAN_CLI, ["job", "status", "-address", "@ADDR@", "bench"]),
    "lean+aot(job status)+Xint": ([o for o in LEAN_CLI if not o.startswith(("-XX:TieredStopAtLevel", "-XX:CICompilerCount"))] + ["-Xint"],
                                  ["job", "status", "-address", "@ADDR@", "bench"]),
}
AGENT_SETS = {
    "current": CURRENT,
    "lean": LEAN_AGENT,
    "lean-Xmx128m": [o for o in LEAN_AGENT if not o.startswith("-Xmx")] + ["-Xmx128m"],
    "lean-relocating": [o for o in LEAN_AGENT if o not in NOREL],
    "lean+C2": [o for o in LEAN_AGENT if not o.startswith(("-XX:TieredStopAtLevel", "-XX:CICompilerCount"))],
}


def wait_running(addr, allocs, timeout=120):
    deadline = time.time() + timeout
    while time.time() < deadline:
        states = [api(addr, "GET", f"/v1/allocation/{a}")["TaskStates"].get("sleep", {}).get("State") for a in allocs]
        if all(s == "running" for s in states):
            return True
        time.sleep(0.1)
    return False


class Agent:
    def __init__(self, work, lib, opts, port, tag):
        self.data = tempfile.mkdtemp(prefix=f"agent-{tag}-", dir=work)
        self.addr = f"http://127.0.0.1:{port}"
        # one plugin AOT cache for all agents of the run, so no agent trains its own in the background
        cache = "-Ddrover.plugin.jvm.cache=" + os.path.join(work, "plugin-jvm-cache")
        cmd = [JAVA] + opts + [cache, "-cp", lib + "/*", MAIN, "agent", "-dev", "-data-dir", self.data, "-http-port", str(port)]
        self.t0 = time.perf_counter()
        log = os.path.join(self.data, "..", f"agent-{tag}.log")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "ab"))
        try:
            wait_health(self.addr, self.proc, timeout=60, poll=0.01, log=log, what=f"agent {tag}")
        except BenchError:
            self.stop()
            raise
        self.ready_ms = (time.perf_counter() - self.t0) * 1000

    def stop(self):
        stop_process(self.proc, timeout=90)


def run_cli(lib, opts, args, addr):
    t = time.perf_counter()
    args = [addr if a == "@ADDR@" else a for a in args]
    p = subprocess.Popen([JAVA] + opts + ["-cp", lib + "/*", MAIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = p.communicate()
    wall = (time.perf_counter() - t) * 1000
    return wall, p.returncode, out, err


def cli_bench(work, lib, k, port):
    agent = Agent(work, lib, CURRENT, port, "cli")
    try:
        allocs = api(agent.addr, "PUT", "/v1/jobs", sleep_job("bench", 2))["AllocIDs"]
        if not wait_running(agent.addr, allocs):
            raise RuntimeError("bench job did not start")
        sets = {}
        for name, (opts, train) in CLI_SETS.items():
            if train:
                cache = os.path.join(work, "".join(c if c.isalnum() else "_" for c in name) + ".aot")
                t = time.perf_counter()
                _, rc, out, err = run_cli(lib, opts + [f"-XX:AOTCacheOutput={cache}"], train, agent.addr)
                secs = time.perf_counter() - t
                if not os.path.exists(cache):
                    raise RuntimeError(f"{name}: no cache: {err.decode()[-2000:]}")
                sets[name] = (opts + [f"-XX:AOTCache={cache}"], f"{os.path.getsize(cache) / 1e6:.1f} MB, {secs:.1f} s")
            else:
                sets[name] = (opts, "")
        times = {n: [] for n in sets}
        cpu = {n: [] for n in sets}
        for _ in range(k):
            for n, (opts, _) in sets.items():
                before = os.times()
                wall, rc, out, err = run_cli(lib, opts, ["job", "status", "-address", "@ADDR@", "bench"], agent.addr)
                after = os.times()
                if rc != 0 or b"bench" not in out:
                    raise RuntimeError(f"{n}: job status failed rc={rc}: {err.decode()[-1000:]}")
                times[n].append(wall)
                cpu[n].append(((after.children_user - before.children_user) + (after.children_system - before.children_system)) * 1000)
        print(f"CLI `drover job status bench` (agent with 2 running tasks), K={k}, {os.cpu_count()} cores, "
              f"load {open('/proc/loadavg').read().split()[0]}")
        print("| option set | wall ms median (min) | CPU ms median | AOT cache |")
        print("|---|---|---|---|")
        for n in sets:
            print(f"| {n} | {statistics.median(times[n]):.0f} ({min(times[n]):.0f}) | {statistics.median(cpu[n]):.0f} | {sets[n][1]} |")
        print()
        for n, (opts, _) in sets.items():
            print(f"  {n}: {' '.join(opts)}")
        print()
    finally:
        try:
            api(agent.addr, "DELETE", "/v1/job/bench?purge=true")
        except BenchError:
            pass
        agent.stop()


def agent_bench(work, lib, runs, port):
    # warm-up: lets the plugins' AOT caches be created once, outside the measured runs
    a = Agent(work, lib, LEAN_AGENT, port, "warmup")
    try:
        allocs = api(a.addr, "PUT", "/v1/jobs", sleep_job("warm", 1))["AllocIDs"]
        wait_running(a.addr, allocs)
        api(a.addr, "DELETE", "/v1/job/warm?purge=true")
        cache = os.path.join(work, "plugin-jvm-cache")
        deadline = time.time() + 180
        # the launcher's default is a static CDS archive (.jsa); an AOT cache (.aot) when configured so
        while time.time() < deadline and not [f for f in os.listdir(cache) if f.endswith((".aot", ".jsa"))]:
            time.sleep(0.5)
        time.sleep(5)
    finally:
        a.stop()
    rows = {}
    for _ in range(runs):
        for n, opts in AGENT_SETS.items():
            a = Agent(work, lib, opts, port, n.replace("+", "_"))
            try:
                time.sleep(10)
                idle = smaps_rollup(a.proc.pid)
                allocs = api(a.addr, "PUT", "/v1/jobs", sleep_job("work", 5))["AllocIDs"]
                wait_running(a.addr, allocs)
                for _ in range(20):
                    api(a.addr, "GET", "/v1/job/work")
                    api(a.addr, "GET", f"/v1/allocation/{allocs[0]}")
                api(a.addr, "DELETE", "/v1/job/work?purge=true")
                time.sleep(10)
                after = smaps_rollup(a.proc.pid)
                r = rows.setdefault(n, {"ready": [], "rss": [], "pss": [], "anon": [], "rss2": [], "pss2": [], "anon2": []})
                r["ready"].append(a.ready_ms)
                r["rss"].append(idle.get("Rss", 0)); r["pss"].append(idle.get("Pss", 0)); r["anon"].append(idle.get("Pss_Anon", 0))
                r["rss2"].append(after.get("Rss", 0)); r["pss2"].append(after.get("Pss", 0)); r["anon2"].append(after.get("Pss_Anon", 0))
            finally:
                a.stop()
    med = statistics.median
    print(f"Agent `drover agent -dev`, {runs} run(s) per set (median), {os.cpu_count()} cores, load {open('/proc/loadavg').read().split()[0]}")
    print("| option set | ready ms | idle RSS | idle PSS | idle PSS anon | after 5-task job RSS | PSS | PSS anon |")
    print("|---|---|---|---|---|---|---|---|")
    for n, r in rows.items():
        print(f"| {n} | {med(r['ready']):.0f} | {med(r['rss']) / 1024:.1f} | {med(r['pss']) / 1024:.1f} | {med(r['anon']) / 1024:.1f} | "
              f"{med(r['rss2']) / 1024:.1f} | {med(r['pss2']) / 1024:.1f} | {med(r['anon2']) / 1024:.1f} |")
    print()
    for n, opts in AGENT_SETS.items():
        print(f"  {n}: {' '.join(opts)}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", type=int, default=20)
    ap.add_argument("--agent-runs", type=int, default=2)
    ap.add_argument("--lib", default=os.path.join(ROOT, "dist/target/lib"))
    ap.add_argument("--port", type=int, default=24747)
    ap.add_argument("--only-cli", action="store_true")
    ap.add_argument("--only-agent", action="store_true")
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix="drover-cli-agent-bench-")
    lib = os.path.join(work, "lib")
    shutil.copytree(args.lib, lib)
    try:
        if not args.only_agent:
            cli_bench(work, lib, args.k, args.port)
        if not args.only_cli:
            agent_bench(work, lib, args.agent_runs, args.port)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
