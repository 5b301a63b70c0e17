#!/usr/bin/env python3
"""Benchmark for issue 6 (docker driver): docker task start latency, image present, next to a
baseline measured in the same run.

  Drover:   N sequential jobs (count=1), each a docker task `/bin/sleep 3600` with
            network_mode = "none"; latency = the allocation's StartedAt - CreateTime (as
            bench/supervision.py), i.e. job registered -> container started and logger attached.
            Each job is stopped (and its container gone) before the next one.
  Baseline: `docker -H unix://<sock> run -d --network none IMAGE /bin/sleep 3600`, wall clock of the
            CLI call (it returns once the container runs), then `docker rm -f`; one after each Drover
            start, so both see the same machine load.

Starts what it needs: a private dockerd (own socket, data root and exec root under a temp dir,
--bridge=none --iptables=false --ip6tables=false: no network besides the unix socket), an image
imported locally from a busybox-static rootfs (`tar -C rootfs -c . | docker import - NAME:TAG`, so
no pull, nothing from the internet), and `bin/drover agent -dev -config FILE` with
`plugin "docker" { config { endpoint = "unix://<sock>" } }` on 127.0.0.1. Everything is removed at
the end (containers, dockerd, its mounts, the temp dir); leftovers are reported, exit status 1.

Usage: bench/docker.py [--n N]      (default N = 30, ~2 minutes)
Needs root, docker.io (dockerd + docker CLI), busybox-static and a built distribution (dist/target/lib).
Report on stdout, progress on stderr.
"""
import argparse, os, shutil, signal, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import BenchError, BenchRun, out, progress, pct, run_main  # noqa: E402
from procs import scan, leftovers, describe, kill_pids, stop_process  # noqa: E402
from agent import Agent, wait_running, latencies_ms  # noqa: E402

IMAGE = "drover-bench/busybox:1"
LABEL_ALLOC_ID = "com.hashicorp.nomad.alloc_id"  # ContainerSpec.LABEL_ALLOC_ID: on every Drover container
APPLETS = ("sh", "sleep", "echo", "cat", "true")


def fmt(lat):
    return f"p50 {pct(lat, 50):7.1f} ms   p95 {pct(lat, 95):7.1f} ms   min {min(lat):7.1f} ms   max {max(lat):7.1f} ms"


def which(binary, pkg):
    for d in os.environ.get("PATH", "").split(":") + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]:
        if d and os.access(os.path.join(d, binary), os.X_OK):
            return os.path.join(d, binary)
    raise BenchError(f"{binary} not found: install {pkg} (apt-get install {pkg})")


def job(job_id):
    return {"Job": {"ID": job_id, "Type": "service", "TaskGroups": [{
        "Name": "g", "Count": 1,
        "Tasks": [{"Name": "sleep", "Driver": "docker",
                   "Config": {"image": IMAGE, "network_mode": "none",
                              "command": "/bin/sleep", "args": ["3600"]}}]}]}}


class Dockerd:
    """A private dockerd on its own socket; data and exec root under `dir` (short: the socket path
    must fit in 108 bytes)."""

    def __init__(self, bench):
        self.bench = bench
        self.dir = tempfile.mkdtemp(prefix="dk", dir="/tmp")
        self.sock = os.path.join(self.dir, "docker.sock")
        self.endpoint = "unix://" + self.sock
        self.log = os.path.join(self.dir, "dockerd.log")
        self.proc = None
        self.cli = which("docker", "docker.io")

    def __enter__(self):
        dockerd = which("dockerd", "docker.io")
        with open(self.log, "wb") as logf:
            self.proc = subprocess.Popen(
                [dockerd, "-H", self.endpoint, "--data-root", os.path.join(self.dir, "root"),
                 "--exec-root", os.path.join(self.dir, "exec"), "--pidfile", os.path.join(self.dir, "dockerd.pid"),
                 "--iptables=false", "--ip6tables=false", "--bridge=none"],
                stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.time() + 30
        while self.docker("version", check=False).returncode != 0:
            if self.proc.poll() is not None or time.time() > deadline:
                self.close()
                raise BenchError(f"dockerd did not come up (status {self.proc.returncode}); log {self.log}")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc):
        self.close()
        return False

    def docker(self, *args, check=True, stdin=None, timeout=120):
        r = subprocess.run([self.cli, "-H", self.endpoint, *args], input=stdin, capture_output=True, timeout=timeout)
        if check and r.returncode != 0:
            raise BenchError(f"docker {' '.join(args)}: exit {r.returncode}: {r.stderr.decode(errors='replace').strip()[:400]}")
        return r

    def import_image(self):
        rootfs = os.path.join(self.dir, "rootfs")
        os.makedirs(os.path.join(rootfs, "bin"))
        os.makedirs(os.path.join(rootfs, "tmp"))
        shutil.copy(which("busybox", "busybox-static"), os.path.join(rootfs, "bin", "busybox"))
        for a in APPLETS:
            os.symlink("busybox", os.path.join(rootfs, "bin", a))
        tar = subprocess.run(["tar", "-C", rootfs, "-c", "."], capture_output=True, check=True).stdout
        self.docker("import", "-", IMAGE, stdin=tar)
        shutil.rmtree(rootfs)

    def bare_run(self, name):
        """Wall clock of `docker run -d --network none`, then removes the container; ms."""
        t0 = time.perf_counter()
        self.docker("run", "-d", "--name", name, "--network", "none", IMAGE, "/bin/sleep", "3600")
        ms = (time.perf_counter() - t0) * 1e3
        self.docker("rm", "-f", name)
        return ms

    def drover_containers(self):
        r = self.docker("ps", "-aq", "--filter", f"label={LABEL_ALLOC_ID}", check=False)
        return r.stdout.decode().split()

    def close(self):
        if self.proc is not None and self.proc.poll() is None:
            left = self.docker("ps", "-aq", check=False, timeout=30).stdout.decode().split()
            if left:
                self.docker("rm", "-f", *left, check=False, timeout=60)
            # SIGTERM: stops its containerd, unmounts its layers
            if not stop_process(self.proc, signal.SIGTERM, timeout=30):
                self.bench.problem("dockerd did not exit 30 s after SIGTERM; killed it")
        # dockerd may leave mounts (e.g. exec/netns/default) behind: deepest first
        with open("/proc/self/mountinfo") as f:
            points = [l.split()[4].replace("\\040", " ") for l in f]
        for p in sorted((p for p in points if p.startswith(self.dir + "/")), key=len, reverse=True):
            subprocess.run(["umount", "-l", p], capture_output=True)
        table = scan()
        left = leftovers(self.dir, table)
        if left:
            self.bench.problem(f"{len(left)} processes of {self.dir} left after dockerd stopped:\n{describe(left, table)}")
            kill_pids(left, self.dir)
        shutil.rmtree(self.dir, ignore_errors=True)


class Bench(BenchRun):
    def __init__(self, args):
        super().__init__("drover-docker-")
        self.n = args.n

    def start_and_stop(self, ag, engine, job_id):
        ag.api("PUT", "/v1/jobs", job(job_id))
        running, restarts = wait_running(ag, job_id, 1, timeout=120)
        if restarts.count:
            self.problem(f"{job_id}: {restarts.line()}")
        lat = latencies_ms(running)
        ag.api("DELETE", f"/v1/job/{job_id}?purge=true")
        deadline = time.time() + 60
        while engine.drover_containers():
            if time.time() > deadline:
                raise BenchError(f"{job_id}: container still there 60 s after the job stop")
            time.sleep(0.05)
        return lat

    def run(self):
        out(f"docker driver start latency, {self.n} sequential starts, image present, network_mode none; "
            f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}, {time.strftime('%Y-%m-%d %H:%M')}")
        with Dockerd(self) as engine:
            version = engine.docker("version", "--format", "{{.Server.Version}}").stdout.decode().strip()
            engine.import_image()
            progress(f"dockerd {version} on {engine.sock}, image {IMAGE} imported")
            hcl = f'plugin "docker" {{\n  config {{ endpoint = "{engine.endpoint}" }}\n}}\n'
            with Agent(self, "docker", config=hcl) as ag:
                # warm-up: the docker_logger plugin and the agent's code paths come up once
                self.start_and_stop(ag, engine, "warmup")
                engine.bare_run("warmup-bare")
                lat, base = [], []
                for i in range(self.n):  # interleaved: both see the same machine load
                    lat += self.start_and_stop(ag, engine, f"seq-{i}")
                    base.append(engine.bare_run(f"bare-{i}"))
                    if (i + 1) % 10 == 0 and i + 1 < self.n:
                        progress(f"{i + 1}/{self.n}: drover p50 {pct(lat, 50):.0f} ms, docker run p50 {pct(base, 50):.0f} ms")
            left = engine.drover_containers()
            if left:
                self.problem(f"{len(left)} Drover containers left after the agent stopped: {left}")
        out(f"  drover docker task: {fmt(lat)}   (CreateTime -> StartedAt)")
        out(f"  docker run -d:      {fmt(base)}   (CLI wall clock, dockerd {version})")
        out(f"  ratio p50 {pct(lat, 50) / pct(base, 50):.2f}x, p95 {pct(lat, 95) / pct(base, 95):.2f}x")
        out(f"  load average after: {os.getloadavg()[0]:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=30, help="sequential starts of each kind (default 30)")
    args = ap.parse_args()
    if os.geteuid() != 0:
        print("docker.py: needs root (dockerd, the agent)", file=sys.stderr)
        return 1
    return run_main(Bench(args), none="No problems: every start ran, nothing left over.")


if __name__ == "__main__":
    sys.exit(main())
