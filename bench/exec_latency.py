#!/usr/bin/env python3
"""Benchmark for issue 7 (alloc exec): connect-to-first-output latency of `alloc exec` sessions per
driver, next to baselines measured in the same run.

  Drover:    N sequential sessions per driver (raw_exec, exec on crun, java, docker), each a
             websocket to /v1/client/allocation/<id>/exec running `/bin/sh -c 'echo hi'` without a
             TTY in a long-running task; latency = TCP connect -> first stdout frame; the whole
             session (-> exit frame and close) is reported too.
  Baselines: the same command run directly, one after each Drover session of the driver, so both see
             the same machine load:
               raw_exec -> `sh -c 'echo hi'` spawned by this script
               exec     -> `crun --root /run/drover/crun exec <the task's container> /bin/sh -c 'echo hi'`
               java     -> the same, into the java task's container
               docker   -> `docker -H <sock> exec <the task's container> /bin/sh -c 'echo hi'`, and
                           the Engine API's exec create + start from here (no CLI start)
             each timed from spawn (or the first connect) to the first output byte.
  CLI:       --cli M sessions of `drover alloc exec -i=false` into the raw_exec task, wall clock:
             what a person waits, JVM start of the CLI included.

Why a websocket client of its own: Python's standard library has none, and the `drover alloc exec`
CLI pays a JVM start per session (hundreds of ms) that would hide the agent's share. The client
here is the part of RFC 6455 a session needs (the upgrade, unmasked server frames, a masked close),
so the figure is the agent's and the driver's alone.

Starts what it needs: a private dockerd (bench/docker.py's, own socket and data root,
--bridge=none --iptables=false), an image imported from a busybox-static rootfs, a class compiled
here for the java task (javac --release 17, in a directory added to chroot_env), and
`bin/drover agent -dev -config FILE` on 127.0.0.1. Everything is removed at the end; leftovers are
reported and make the exit status 1.

Usage: bench/exec_latency.py [--n N] [--cli M] [--drivers raw_exec,exec,java,docker]
  default N = 200, M = 10 (~3 minutes)
Needs root, crun, docker.io, busybox-static, a JDK (JAVA_HOME) and a built distribution (dist/target/lib).
Report on stdout, progress on stderr.
"""
import argparse, base64, json, os, socket, struct, subprocess, sys, time, urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (DROVER, JAVA_HOME, BenchError, BenchRun, out, progress, pct, print_table, recv_exact,  # noqa: E402
                    run_main)
from agent import Agent, wait_running  # noqa: E402
from isolation import DEFAULT_CHROOT  # noqa: E402
from docker import Dockerd, IMAGE, LABEL_ALLOC_ID  # noqa: E402

DRIVERS = ("raw_exec", "exec", "java", "docker")
COMMAND = ["/bin/sh", "-c", "echo hi"]
CRUN_ROOT = "/run/drover/crun"  # OciRuntime.RUN_DIR/<runtime>: where the executor's crun keeps its containers


def fmt(lat):
    return f"p50 {pct(lat, 50):7.2f} ms   p95 {pct(lat, 95):7.2f} ms   max {max(lat):7.1f} ms"


# -- a websocket session in Nomad's exec frames ----------------------------------------------------

def read_frame(s):
    """(opcode, payload) of one server frame (servers never mask)."""
    b0, b1 = recv_exact(s, 2)
    length = b1 & 0x7F
    if length == 126:
        length = struct.unpack(">H", recv_exact(s, 2))[0]
    elif length == 127:
        length = struct.unpack(">Q", recv_exact(s, 8))[0]
    return b0 & 0x0F, recv_exact(s, length)


def send_frame(s, opcode, payload=b""):
    mask = os.urandom(4)
    head = bytes([0x80 | opcode, 0x80 | len(payload)]) if len(payload) < 126 else None
    if head is None:
        raise BenchError("frames over 125 bytes are not needed here")
    s.sendall(head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))


def ws_exec(port, alloc, task, command):
    """One session; returns (ms to first stdout frame, ms to the close, exit code, stdout)."""
    path = (f"/v1/client/allocation/{alloc}/exec?task={urllib.parse.quote(task)}&tty=false"
            f"&command={urllib.parse.quote(json.dumps(command))}")
    t0 = time.perf_counter_ns()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        key = base64.b64encode(os.urandom(16)).decode()
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(1)
            if not chunk:
                raise BenchError("agent closed the connection during the upgrade")
            head += chunk
        if not head.startswith(b"HTTP/1.1 101"):
            raise BenchError(f"exec upgrade refused: {head.decode(errors='replace').splitlines()[0]}")
        first, code, stdout = None, None, b""
        while True:
            op, payload = read_frame(s)
            if op == 1:
                frame = json.loads(payload)
                if "stdout" in frame:
                    if first is None:
                        first = time.perf_counter_ns()
                    stdout += base64.b64decode(frame["stdout"].get("data", ""))
                elif frame.get("exited"):
                    code = frame["result"]["exit_code"]
            elif op == 8:
                reason = payload[2:].decode(errors="replace") if len(payload) > 2 else ""
                status = struct.unpack(">H", payload[:2])[0] if len(payload) >= 2 else None
                send_frame(s, 8, payload[:2])
                if status != 1000 or code is None:
                    raise BenchError(f"exec session closed with {status} {reason!r} (exit code {code})")
                break
            elif op == 9:
                send_frame(s, 10, payload)
        end = time.perf_counter_ns()
    finally:
        s.close()
    if first is None:
        raise BenchError(f"no output from {command} in {task} (exit code {code})")
    return (first - t0) / 1e6, (end - t0) / 1e6, code, stdout


def first_byte_ms(argv):
    """Spawn -> first byte on the child's stdout, then waits for it; fails on a non-zero exit."""
    t0 = time.perf_counter_ns()
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    first = p.stdout.read(1)
    t1 = time.perf_counter_ns()
    rest = p.stdout.read()
    err = p.stderr.read()
    if p.wait() != 0 or first + rest != b"hi\n":
        raise BenchError(f"{' '.join(argv)}: exit {p.returncode}, stdout {first + rest!r}, stderr {err.decode(errors='replace')[:300]}")
    return (t1 - t0) / 1e6


def engine_exec_ms(sock, container):
    """The Engine API's own exec, as the driver uses it but from here: POST /containers/<id>/exec,
    then POST /exec/<id>/start on a hijacked connection; ms from the first connect to the first
    output frame. Then reads to the end and checks the output."""
    body = json.dumps({"AttachStdin": True, "AttachStdout": True, "AttachStderr": True, "Tty": False, "Cmd": COMMAND}).encode()
    t0 = time.perf_counter_ns()
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(f"POST /v1.41/containers/{container}/exec HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    exec_id = json.loads(answer.split(b"\r\n\r\n", 1)[1])["Id"]
    start = b'{"Detach":false,"Tty":false}'
    with socket.socket(socket.AF_UNIX) as s:
        s.connect(sock)
        s.sendall(f"POST /v1.41/exec/{exec_id}/start HTTP/1.1\r\nHost: docker\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                  f"Content-Type: application/json\r\nContent-Length: {len(start)}\r\n\r\n".encode() + start)
        data, t1 = b"", None
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 8:
            chunk = s.recv(65536)
            if not chunk:
                raise BenchError(f"engine exec ended before any output: {data[:200]!r}")
            data += chunk
        t1 = time.perf_counter_ns()
        while chunk := s.recv(65536):
            data += chunk
    stream = data.split(b"\r\n\r\n", 1)[1]
    if stream[8:] != b"hi\n":
        raise BenchError(f"engine exec output {stream!r}")
    return (t1 - t0) / 1e6


# -- the tasks -------------------------------------------------------------------------------------

def task_config(driver):
    if driver == "docker":
        return {"image": IMAGE, "network_mode": "none", "command": "/bin/sleep", "args": ["100000"]}
    if driver == "java":
        return {"class": "Sleep", "class_path": "/app", "jvm_options": ["-Xmx16m", "-XX:+UseSerialGC"]}
    return {"command": "/bin/sleep", "args": ["100000"]}


def job(driver):
    return {"Job": {"ID": f"exec-{driver}", "Type": "service", "TaskGroups": [{
        "Name": "g", "Count": 1,
        "Tasks": [{"Name": "t", "Driver": driver, "Config": task_config(driver)}]}]}}


def compile_sleep(directory):
    os.makedirs(directory)
    src = os.path.join(directory, "Sleep.java")
    with open(src, "w") as f:
        f.write("public class Sleep { public static void main(String[] a) throws Exception { Thread.sleep(Long.MAX_VALUE); } }\n")
    javac = os.path.join(JAVA_HOME, "bin", "javac")
    r = subprocess.run([javac, "--release", "17", "-d", directory, src], capture_output=True, text=True)
    if r.returncode != 0:
        raise BenchError(f"javac failed: {r.stderr[:400]}")


def crun_container(alloc):
    """The id of the executor's crun container of an allocation (its id carries the alloc id)."""
    r = subprocess.run(["crun", "--root", CRUN_ROOT, "list", "-q"], capture_output=True, text=True)
    ids = [c for c in r.stdout.split() if alloc in c]
    if len(ids) != 1:
        raise BenchError(f"expected one crun container of alloc {alloc} in {CRUN_ROOT}, found {ids}")
    return ids[0]


class Bench(BenchRun):
    def __init__(self, args):
        super().__init__("drover-exec-latency-")
        self.n, self.cli, self.drivers = args.n, args.cli, args.drivers
        self.rows = []

    def config(self, engine, app):
        chroot = ", ".join(f'"{p}" = "{p}"' for p in DEFAULT_CHROOT + [app])
        chroot = chroot.replace(f'"{app}" = "{app}"', f'"{app}" = "/app"')
        return (f'plugin "exec" {{\n  config {{ runtime = "crun" }}\n}}\n'
                f'plugin "docker" {{\n  config {{ endpoint = "{engine.endpoint}" }}\n}}\n'
                f'client {{\n  chroot_env = {{ {chroot} }}\n}}\n')

    def baseline(self, driver, alloc, engine):
        if driver == "raw_exec":
            return ["sh", "-c", "echo hi"], "`sh -c 'echo hi'` spawned", None
        if driver in ("exec", "java"):
            cid = crun_container(alloc)
            return ["crun", "--root", CRUN_ROOT, "exec", cid] + COMMAND, "`crun exec` into the task's container", None
        r = engine.docker("ps", "-q", "--no-trunc", "--filter", f"label={LABEL_ALLOC_ID}={alloc}")
        cid = r.stdout.decode().strip()
        if not cid:
            raise BenchError(f"no container of alloc {alloc}")
        return [engine.cli, "-H", engine.endpoint, "exec", cid] + COMMAND, "`docker exec` (CLI) into the task's container", cid

    def run(self):
        out(f"alloc exec latency, {self.n} sequential sessions per driver of {COMMAND} without a TTY; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}")
        app = os.path.join(self.root, "app")
        compile_sleep(app)
        with Dockerd(self) as engine:
            engine.import_image()
            with Agent(self, "exec", config=self.config(engine, app), jvm_tasks=True) as ag:
                allocs, baselines = {}, {}
                for d in self.drivers:
                    ag.api("PUT", "/v1/jobs", job(d))
                for d in self.drivers:
                    running, restarts = wait_running(ag, f"exec-{d}", 1, timeout=180, task="t")
                    if restarts.count:
                        self.problem(f"{d}: {restarts.line()}")
                    allocs[d] = next(iter(running))
                    baselines[d] = self.baseline(d, allocs[d], engine)
                progress("tasks running: " + ", ".join(f"{d} {a[:8]}" for d, a in allocs.items()))
                for d in self.drivers:  # warm-up: the first session of each path loads its code
                    ws_exec(ag.port, allocs[d], "t", COMMAND)
                    first_byte_ms(baselines[d][0])
                first = {d: [] for d in self.drivers}
                whole = {d: [] for d in self.drivers}
                base = {d: [] for d in self.drivers}
                api = []  # docker only: the Engine API's exec without a CLI
                for i in range(self.n):  # round robin: every driver and baseline sees the same load
                    for d in self.drivers:
                        f, w, code, stdout = ws_exec(ag.port, allocs[d], "t", COMMAND)
                        if code != 0 or stdout != b"hi\n":
                            raise BenchError(f"{d} session {i}: exit {code}, stdout {stdout!r}")
                        first[d].append(f)
                        whole[d].append(w)
                        base[d].append(first_byte_ms(baselines[d][0]))
                        if d == "docker":
                            api.append(engine_exec_ms(engine.sock, baselines[d][2]))
                    if (i + 1) % 50 == 0 and i + 1 < self.n:
                        progress(f"{i + 1}/{self.n}: " + ", ".join(f"{d} p50 {pct(first[d], 50):.1f} ms" for d in self.drivers))
                cli = self.cli_sessions(ag, allocs) if self.cli and "raw_exec" in allocs else []
                for d in self.drivers:
                    ag.api("DELETE", f"/v1/job/exec-{d}?purge=true")
                deadline = time.time() + 60
                while (ag.tasks() or engine.drover_containers()) and time.time() < deadline:
                    time.sleep(0.1)
        for d in self.drivers:
            ratio = pct(first[d], 50) / pct(base[d], 50)
            out(f"  {d:8s} first output {fmt(first[d])}   whole session p50 {pct(whole[d], 50):.2f} ms")
            out(f"  {'':8s} baseline     {fmt(base[d])}   {baselines[d][1]}")
            out(f"  {'':8s} ratio p50 {ratio:.1f}x, p95 {pct(first[d], 95) / pct(base[d], 95):.1f}x")
            self.rows.append((d, f"{pct(first[d], 50):.1f} / {pct(first[d], 95):.1f} ms",
                              f"{pct(whole[d], 50):.1f} ms", f"{pct(base[d], 50):.1f} / {pct(base[d], 95):.1f} ms ({baselines[d][1]})",
                              f"{ratio:.1f}x"))
        if api:
            out(f"  docker   Engine API   {fmt(api)}   exec create + start from Python, no CLI; "
                f"ratio p50 {pct(first['docker'], 50) / pct(api, 50):.1f}x")
            self.rows.append(("docker vs the Engine API", f"{pct(first['docker'], 50):.1f} / {pct(first['docker'], 95):.1f} ms", "—",
                              f"{pct(api, 50):.1f} / {pct(api, 95):.1f} ms (exec create + start over the socket)",
                              f"{pct(first['docker'], 50) / pct(api, 50):.1f}x"))
        if cli:
            out(f"  CLI      `drover alloc exec -i=false` into raw_exec, wall clock: {fmt(cli)}")
            self.rows.append(("raw_exec via the CLI", "—", f"{pct(cli, 50):.0f} ms", "JVM start of the CLI included", "—"))
        out(f"  load average after: {os.getloadavg()[0]:.2f}")
        out()
        out("```")
        print_table(("driver", "first output p50 / p95", "session p50", "baseline p50 / p95", "ratio p50"), self.rows)
        out("```")

    def cli_sessions(self, ag, allocs):
        times = []
        env = dict(os.environ, JAVA_HOME=JAVA_HOME)
        for _ in range(self.cli):
            t0 = time.perf_counter_ns()
            r = subprocess.run([DROVER, "-address", f"http://127.0.0.1:{ag.port}", "alloc", "exec", "-i=false",
                                allocs["raw_exec"]] + COMMAND, stdin=subprocess.DEVNULL, capture_output=True, env=env, timeout=60)
            times.append((time.perf_counter_ns() - t0) / 1e6)
            if r.returncode != 0 or r.stdout != b"hi\n":
                raise BenchError(f"drover alloc exec: exit {r.returncode}, stdout {r.stdout!r}, stderr {r.stderr.decode(errors='replace')[:300]}")
        return times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=200, help="sessions per driver (default 200)")
    ap.add_argument("--cli", type=int, default=10, help="CLI sessions into raw_exec (default 10, 0: none)")
    ap.add_argument("--drivers", default=",".join(DRIVERS))
    args = ap.parse_args()
    args.drivers = [d for d in args.drivers.split(",") if d]
    bad = [d for d in args.drivers if d not in DRIVERS]
    if bad:
        print(f"exec_latency.py: unknown driver(s) {bad}; choose from {', '.join(DRIVERS)}", file=sys.stderr)
        return 1
    if os.geteuid() != 0:
        print("exec_latency.py: needs root (the agent, crun, dockerd)", file=sys.stderr)
        return 1
    return run_main(Bench(args))


if __name__ == "__main__":
    sys.exit(main())
