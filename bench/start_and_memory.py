#!/usr/bin/env python3
"""Whole-system benchmark: start N raw_exec `sleep` tasks through a real agent and report
start latency (API accepted -> task running) and per-task PSS of the executor and logmon
processes, next to a bare `sleep` spawned by a shell measured in the same run.

Usage: bench/start_and_memory.py [-n 20]     (builds Drover first if needed; needs root)
Talks only to 127.0.0.1.
"""
import argparse, json, os, shutil, signal, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        return 0
    return 0


def procs_matching(text):
    out = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open(f"/proc/{p}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmd:
            out.append(int(p))
    return out


def api(addr, method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(addr + path, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as r:
        return json.loads(r.read() or b"null")


def pct(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def baseline_spawn(n):
    """Time for a shell to start `sleep` in the background until the process exists."""
    script = f"""
for i in $(seq 1 {n}); do
  s=$(date +%s%N); sleep 1000 >/dev/null 2>&1 & p=$!
  while [ ! -e /proc/$p ]; do :; done
  e=$(date +%s%N); echo $(( (e - s) / 1000 )) $p
done
"""
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120).stdout.split("\n")
    micros, pids = [], []
    for line in out:
        if line.strip():
            us, pid = line.split()
            micros.append(int(us) / 1000.0)
            pids.append(int(pid))
    time.sleep(0.2)
    pss = statistics.mean(pss_kb(p) for p in pids)
    for p in pids:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return micros, pss


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
    agent = subprocess.Popen([os.path.join(ROOT, "bin/drover"), "agent", "-dev", "-data-dir", data, "-http-port", str(port)],
                             stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "agent.log"), "w"))
    try:
        for _ in range(300):
            try:
                api(addr, "GET", "/v1/agent/health")
                break
            except OSError:
                time.sleep(0.1)
        agent_pss = pss_kb(agent.pid)
        job = {"Job": {"ID": "bench", "Type": "service", "TaskGroups": [{"Name": "g", "Count": n, "Tasks": [
            {"Name": "sleep", "Driver": "raw_exec", "Config": {"command": "/bin/sleep", "args": ["100000"]}}]}]}}
        t0 = time.time_ns()
        allocs = api(addr, "PUT", "/v1/jobs", job)["AllocIDs"]
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
        base_ms, base_pss = baseline_spawn(n)

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
        agent.send_signal(signal.SIGINT)
        try:
            agent.wait(60)
        except subprocess.TimeoutExpired:
            agent.kill()
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
