#!/usr/bin/env python3
"""Benchmark for issue 9: how long a scrape of GET /v1/metrics takes with N running tasks
(goal: < 100 ms for 500 tasks).

Starts `bin/drover agent -dev` (shared plugin placement, so 500 tasks fit in memory) on a fresh
data dir and a free port, runs one raw_exec job of N `sleep` tasks, waits until all run and the
stats sampler has a reading of every one (the scrape must carry N memory series), then times
--scrapes sequential scrapes in each format over HTTP on 127.0.0.1 (the client's time: request,
collect, render, transfer, read). Reports median / p95 / max, size and series. Then stops the job,
stops the agent and checks that nothing of its data dir is left in /proc (exit status 1 if so).

Usage: bench/metrics_scrape.py [--n 500] [--scrapes 50] [--placement shared|per_task] [--keep]
Needs root (like the agent) and a built distribution (dist/target/lib). Report on stdout.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import ROOT, DROVER, free_port, pct, request, sleep_job, wait_health  # noqa: E402
from procs import cpu_seconds, leftovers, stop_process  # noqa: E402


def get(addr, path, timeout=60):
    return request(addr, "GET", path, timeout=timeout)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=500)
    ap.add_argument("--scrapes", type=int, default=50)
    ap.add_argument("--placement", default="shared", choices=["shared", "per_task"])
    ap.add_argument("--keep", action="store_true")
    a = ap.parse_args()
    if not os.path.exists(os.path.join(ROOT, "dist", "target", "lib", "drover.jar")):
        sys.exit("no distribution: build it first (./mvnw -o -q package -DskipTests)")
    data = tempfile.mkdtemp(prefix="metrics-bench.")
    port = free_port()
    addr = f"http://127.0.0.1:{port}"
    log = open(data + ".agent.log", "wb")
    agent = subprocess.Popen([DROVER, "agent", "-dev", "-bind", "127.0.0.1", "-data-dir", data, "-http-port", str(port),
                              "-plugin-placement", a.placement], stdout=log, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=True)
    status = 0
    try:
        wait_health(addr, agent, timeout=90, poll=0.2, log=data + ".agent.log")
        t0 = time.time()
        request(addr, "PUT", "/v1/jobs", sleep_job("scrape", a.n), timeout=600)
        print(f"{a.n} raw_exec tasks, placement {a.placement}, {os.cpu_count()} cores", flush=True)
        deadline = time.time() + 120 + 2 * a.n
        while True:
            allocs = json.loads(get(addr, "/v1/allocations"))
            running = sum(1 for x in allocs if x["ClientStatus"] == "running")
            series = get(addr, "/v1/metrics?format=prometheus").decode().count("\ndrover_task_memory_rss_bytes{")
            if running == a.n and series == a.n:
                break
            if time.time() > deadline:
                raise SystemExit(f"only {running}/{a.n} running, {series} sampled after {time.time() - t0:.0f} s")
            time.sleep(1)
        print(f"all running and sampled {time.time() - t0:.1f} s after submit", flush=True)
        time.sleep(2)
        # The agent's CPU when nobody scrapes (the sampler reading 500 tasks each second) ...
        quiet_s = 10.0
        c0, t0 = cpu_seconds(agent.pid), time.perf_counter()
        time.sleep(quiet_s)
        idle_rate = (cpu_seconds(agent.pid) - c0) / (time.perf_counter() - t0)
        print(f"  agent CPU without scrapes: {idle_rate * 100:.0f}% of a core (the stats sampler)", flush=True)
        for fmt, path in (("prometheus", "/v1/metrics?format=prometheus"), ("json", "/v1/metrics")):
            times, size = [], 0
            for _ in range(10):
                get(addr, path)  # warm-up: JIT
            c0, t0 = cpu_seconds(agent.pid), time.perf_counter()
            for _ in range(a.scrapes):
                t = time.perf_counter()
                body = get(addr, path)
                times.append((time.perf_counter() - t) * 1000)
                size = len(body)
            # ... so the CPU a scrape costs is what the agent used beyond that rate: a figure the
            # node's load does not inflate the way it inflates wall-clock times.
            cpu_ms = (cpu_seconds(agent.pid) - c0 - idle_rate * (time.perf_counter() - t0)) / a.scrapes * 1000
            lines = body.decode().count("\n") if fmt == "prometheus" else None
            print(f"  {fmt:10s} scrape: median {statistics.median(times):6.1f} ms, p95 {pct(times, 95):6.1f} ms, "
                  f"max {max(times):6.1f} ms wall; {cpu_ms:5.1f} ms agent CPU each; {size / 1024:.0f} KiB"
                  + (f", {lines} lines" if lines else ""), flush=True)
        # The agent's own time per scrape (collect + render + write), from its API latency histogram.
        for entry in json.loads(get(addr, "/v1/metrics"))["Samples"]:
            labels = entry["Labels"]
            if entry["Name"] == "drover_api_request_seconds" and labels.get("route") == "/v1/metrics" and entry["Count"]:
                print(f"  agent-side:        mean {entry['Sum'] / entry['Count'] * 1000:6.1f} ms over {entry['Count']} "
                      f"scrapes of both formats (from drover_api_request_seconds)")
        load = os.getloadavg()[0]
        print(f"  load average (1 min) at the end: {load:.1f}")
        request(addr, "DELETE", "/v1/job/scrape?purge=true", timeout=600)
        # The purge drops the allocations once every task is dead; only then stop the agent, whose
        # own drain on SIGTERM is bounded (60 s) and would leave a slow stop's tasks behind.
        deadline = time.time() + 120 + a.n
        while json.loads(get(addr, "/v1/allocations")) and time.time() < deadline:
            time.sleep(1)
    finally:
        if not stop_process(agent, signal.SIGTERM, timeout=180):  # -dev: the agent drains (stops its tasks) on SIGTERM
            status = 1
        time.sleep(2)
        left = leftovers(data)
        if left:
            print(f"LEFT OVER: processes {left} still refer to {data}")
            for pid in left:
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
            status = 1
        if not a.keep:
            shutil.rmtree(data, ignore_errors=True)
            os.unlink(data + ".agent.log")
    sys.exit(status)


if __name__ == "__main__":
    main()
