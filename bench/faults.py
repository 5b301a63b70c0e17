#!/usr/bin/env python3
"""Issue 8's fault suite at bench size.

Runs agent/src/test/.../e2e/FaultSuiteTest (the same loop CI runs at 4 tasks x 2 rounds) with more
tasks and rounds: raw_exec and exec tasks write numbered lines while the loop kills the agent
(kill -9, then a restart on the same data dir), an executor (shared: the plugin host), a logmon,
and restarts the agent gracefully. Prints the figures of each placement and exits non-zero if any
loss figure is not 0. One implementation of the checks serves CI and the bench.

  bench/faults.py [--tasks 12] [--rounds 6] [--placement shared|per_task|both] [--seed N]

Needs root, cgroups, crun or runc (the exec driver) and JDK 25 (JAVA_HOME or Temurin 25 under
/usr/lib/jvm). Builds offline with the Maven wrapper in this checkout.
"""
import argparse
import os
import pathlib
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tasks", type=int, default=12)
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--placement", choices=["shared", "per_task", "both"], default="both")
    ap.add_argument("--seed", type=int, default=int(time.time()))
    args = ap.parse_args()
    if os.geteuid() != 0:
        sys.exit("faults.py: must run as root (cgroups, the exec driver's OCI runtime)")
    env = dict(os.environ)
    env.setdefault("JAVA_HOME", "/usr/lib/jvm/temurin-25-jdk-amd64")
    report = pathlib.Path(tempfile.mkstemp(prefix="drover-faults-", suffix=".txt")[1])
    placements = ["per_task", "shared"] if args.placement == "both" else [args.placement]
    failed = False
    for placement in placements:
        cmd = [str(ROOT / "mvnw"), "-q", "-o", "-pl", "plugin-sdk,executor,logmon,drivers,agent", "-am", "test",
               "-Dtest=FaultSuiteTest", "-Dsurefire.failIfNoSpecifiedTests=false",
               f"-Ddrover.faults.tasks={args.tasks}", f"-Ddrover.faults.rounds={args.rounds}",
               f"-Ddrover.faults.seed={args.seed}", f"-Ddrover.faults.placement={placement}",
               f"-Ddrover.faults.report={report}", "-Dsurefire.timeout=0"]
        started = time.time()
        print(f"==> {placement}: {args.tasks} tasks, {args.rounds} rounds, seed {args.seed}", flush=True)
        rc = subprocess.run(cmd, cwd=ROOT, env=env).returncode
        print(f"==> {placement}: {'ok' if rc == 0 else 'FAILED'} in {time.time() - started:.0f}s", flush=True)
        failed |= rc != 0
    print(report.read_text() if report.exists() else "(no figures written)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
