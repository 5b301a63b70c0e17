#!/usr/bin/env python3
"""Whole-system benchmark: start N raw_exec `sleep` tasks through a real agent and report
start latency (API accepted -> task running) and per-task PSS of the executor and logmon
processes, next to a bare `sleep` spawned by a shell measured in the same run.

Usage: bench/start_and_memory.py [-n 20]     (builds Drover first if needed; needs root)
Talks only to 127.0.0.1.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, DROVER, api, pct, sleep_job, spawn_baseline, wait_health  # noqa: E402
from procs import pss_kb, scan, stop_process  # noqa: E402


def procs_matching(text):
    return [pid for pid, (_, args) in scan().items() if text in " ".join(args)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=20)
    args = ap.parse_args()
    n = args.n
    lib = os.path.join(ROOT, "dist/target/lib/drover.jar")
    if not os.path.exists(lib):
        subprocess.run([os.path.join(ROOT, "mvnw"), "-q", "-DskipTests", "package"], cwd=ROOT, check=True)

    data = tempfile.mkdtemp(prefix="drover-bench-")
    port = 24646
    addr = f"http://127.0.0.1:{port}"
    log = os.path.join(data, "agent.log")
    # per_task: an executor and a logmon JVM per task, the layout this benchmark reports on (not the default)
    agent = subprocess.Popen([DROVER, "agent", "-dev", "-data-dir", data, "-http-port", str(port), "-plugin-placement", "per_task"],
                             stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    try:
        wait_health(addr, agent, timeout=30, log=log)
        agent_pss = pss_kb(agent.pid)
        t0 = time.time_ns()
        allocs = api(addr, "PUT", "/v1/jobs", sleep_job("bench", n))["AllocIDs"]
        latencies = {}
        while len(latencies) < n and time.time_ns() - t0 < 300e9:
            for a in allocs:
                if a in latencies:
                    continue
                st = api(addr, "GET", f"/v1/allocation/{a}")
                ts = st["TaskStates"]["sleep"]
                if ts["State"] == "running":
                    latencies[a] = (ts["StartedAt"] - st["CreateTime"]) / 1e6
            time.sleep(0.05)
        all_running_ms = (time.time_ns() - t0) / 1e6
        time.sleep(1)
        executors = procs_matching(f"PluginMain executor {data}")
        logmons = procs_matching(f"PluginMain logmon {data}")
        ex_pss = sum(pss_kb(p) for p in executors)
        lm_pss = sum(pss_kb(p) for p in logmons)
        base_ms, base_pss = spawn_baseline(n, seconds=1000)

        lat = list(latencies.values())
        print(f"Drover start + memory benchmark, N={n} raw_exec sleep tasks (per_task plugins), {os.cpu_count()} cores")
        print(f"  tasks running:             {len(lat)}/{n} in {all_running_ms:.0f} ms (all submitted at once)")
        print(f"  start latency p50 / p95:   {pct(lat, 50):.1f} ms / {pct(lat, 95):.1f} ms   (API accepted -> task running)")
        print(f"  baseline `sleep &` spawn:  {pct(base_ms, 50):.2f} ms / {pct(base_ms, 95):.2f} ms   -> ratio p50 {pct(lat, 50) / max(pct(base_ms, 50), 1e-3):.0f}x")
        print(f"  executor processes:        {len(executors)}, PSS {ex_pss / 1024:.1f} MiB total, {ex_pss / 1024 / max(n, 1):.1f} MiB per task")
        print(f"  logmon processes:          {len(logmons)}, PSS {lm_pss / 1024:.1f} MiB total, {lm_pss / 1024 / max(n, 1):.1f} MiB per task")
        print(f"  supervision per task:      {(ex_pss + lm_pss) / 1024 / max(n, 1):.1f} MiB PSS vs bare sleep {base_pss / 1024:.2f} MiB"
              f" -> ratio {(ex_pss + lm_pss) / max(n, 1) / max(base_pss, 1):.0f}x")
        print(f"  idle agent PSS:            {agent_pss / 1024:.1f} MiB")
        api(addr, "DELETE", "/v1/job/bench?purge=true")
        deadline = time.time() + 60
        while time.time() < deadline and procs_matching("sleep 100000"):
            time.sleep(0.2)
        left = procs_matching("sleep 100000")
        print(f"  after job stop:            {len(left)} task processes left")
    finally:
        stop_process(agent, timeout=60)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
