#!/usr/bin/env python3
"""Measurement aid, not for production: start latency as it would be without the kernel's RCU grace
period on cgroup migrations, without changing any host setting.

Every migration of another process into a cgroup takes cgroup_threadgroup_rwsem for writing; the
first writer after a quiet moment waits for an RCU grace period (percpu_down_write -> rcu_sync_enter),
later writers within about one grace period of the last one do not. Mounting cgroup2 with
`favordynmods` keeps the semaphore in that state for good (and, since Linux 6.18, switches cgroup.procs
writes to a per-process lock, one way: it cannot be switched back until reboot), which is why the bench
does not try it on a shared machine. This script gets the same state for as long as it runs: it writes
its own pid into the cgroup2 cgroup.procs of the cgroup it is already in (a migration that moves
nothing) every --interval-ms. Each write still takes the lock for a few microseconds, so forks on
the host are briefly held now and then; stop it when the measurement is done.

Usage: bench/cgroup_lock_warm.py [--interval-ms 2] [--seconds 600]   (root; ^C or SIGTERM stops it)
"""
import argparse, os, signal, sys, time


def cgroup2_procs():
    mounts = [l.split() for l in open("/proc/self/mounts")]
    roots = [m[1] for m in mounts if m[2] == "cgroup2"]
    if not roots:
        sys.exit("no cgroup2 mount: nothing to keep warm")
    root = "/sys/fs/cgroup" if "/sys/fs/cgroup" in roots else roots[0]
    own = next(l.split(":", 2)[2].strip() for l in open("/proc/self/cgroup") if l.startswith("0::"))
    return os.path.join(root, own.lstrip("/"), "cgroup.procs")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--interval-ms", type=float, default=2.0)
    ap.add_argument("--seconds", type=float, default=600.0, help="stops by itself after this long")
    args = ap.parse_args()
    procs, me = cgroup2_procs(), str(os.getpid()).encode()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    deadline, writes = time.monotonic() + args.seconds, 0
    print(f"keeping cgroup_threadgroup_rwsem warm: {me.decode()} -> {procs} every {args.interval_ms} ms", file=sys.stderr)
    try:
        while time.monotonic() < deadline:
            fd = os.open(procs, os.O_WRONLY)
            try:
                os.write(fd, me)
            finally:
                os.close(fd)
            writes += 1
            time.sleep(args.interval_ms / 1000)
    except KeyboardInterrupt:
        pass
    finally:
        print(f"{writes} writes", file=sys.stderr)


if __name__ == "__main__":
    main()
