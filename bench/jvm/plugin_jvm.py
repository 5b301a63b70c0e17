#!/usr/bin/env python3
"""Plugin JVM option sets: start time and memory of the real plugin process.

For every option set, starts `java <options> -cp <lib>/* dev.drover.sdk.plugin.PluginMain <plugin> <socket>`
and measures
  - start:  ms from spawn to the handshake line on stdout (K sequential launches; rounds are
            interleaved across option sets so machine noise hits all of them alike),
  - cpu:    user+sys CPU ms the plugin had used when its handshake arrived (what 20 simultaneous
            starts on a 2-core node queue for),
  - RSS/PSS of one idle plugin (/proc/PID/smaps_rollup, `--idle` s after its handshake, alone),
  - PSS average when `--concurrent` plugins run at once (shared CDS/AOT/libjvm pages divide),
  - burst:  ms until all `--concurrent` plugins started at the same moment have handshaken.
Plugins are stopped with `plugin.shutdown` (the normal path: PluginMain calls System.exit(0)).

Option sets that need a cache ("aot", "cds") get it built first in a scratch dir; the time that
takes and the file size are reported.

Usage: bench/jvm/plugin_jvm.py [-k 10] [--concurrent 10] [--plugin executor] [--lib dist/target/lib]
                               [--only name,name] [--list]
Stdlib only. Copies the lib dir to a scratch dir first, so a concurrent rebuild cannot change the
jars under the measurement.
"""
import argparse, json, os, shutil, socket, statistics, struct, subprocess, sys, tempfile, time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import ROOT, JAVA_HOME, BenchError, mib, recv_exact  # noqa: E402
from procs import cpu_seconds, smaps_rollup  # noqa: E402

JAVA = os.path.join(JAVA_HOME, "bin", "java")

NATIVE = "--enable-native-access=ALL-UNNAMED"
LOGFMT = "-Djava.util.logging.SimpleFormatter.format=%1$tFT%1$tT.%1$tL %4$s %2$s: %5$s%6$s%n"
# PluginLauncher.DEFAULT_JVM_OPTIONS before issue 4 part 3
CURRENT = [NATIVE, "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xss256k", "-Xms8m", "-Xmx64m",
           "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", LOGFMT]
NOREL = ["-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0"]


def without(opts, *prefixes):
    return [o for o in opts if not any(o.startswith(p) for p in prefixes)]


def replace(opts, prefix, new):
    return without(opts, prefix) + ([new] if new else [])


XLOG = ["-Xlog:disable", "-Xlog:all=warning:stderr"]  # JVM warnings to the plugin log, never into the handshake
TRIM = ["-XX:TrimNativeHeapInterval=5000"]
AOT = ["-XX:AOTCache=@CACHE@"]
# The candidate: C1 only with one compiler thread, malloc trimmed every 5 s, CDS/AOT archive mapped
# at its requested address (not relocated, so its pages stay clean and shared), JVM log to stderr.
LEAN = replace(CURRENT, "-Xms", "-Xms4m") + ["-XX:CICompilerCount=1"] + TRIM + XLOG + NOREL

NEW = [NATIVE, "-XX:+IgnoreUnrecognizedVMOptions", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-XX:CICompilerCount=1",
       "-Xss256k", "-Xms4m", "-Xmx64m", "-XX:-UsePerfData", "-XX:+ExitOnOutOfMemoryError", "-XX:TrimNativeHeapInterval=5000",
       "-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0", "-Xlog:disable", "-Xlog:all=warning:stderr", LOGFMT]

# name -> (options, extra env, cache kind)   cache kind: None | "aot" | "aot:<plugin>" | "cds"
SETS = {
    "jdk-default":        ([NATIVE], {}, None),
    "current":            (CURRENT, {}, None),
    "no-native-access":   (without(CURRENT, "--enable-native-access"), {}, None),
    "Xshare:off":         (CURRENT + ["-Xshare:off"], {}, None),
    "xlog-stderr":        (CURRENT + XLOG, {}, None),
    "codecache16m":       (CURRENT + ["-XX:ReservedCodeCacheSize=16m"], {}, None),
    "cicount1":           (CURRENT + ["-XX:CICompilerCount=1"], {}, None),
    "compile-scaling10":  (CURRENT + ["-XX:CompileThresholdScaling=10"], {}, None),
    "Xint":               (replace(CURRENT, "-XX:TieredStopAtLevel", "-Xint"), {}, None),
    "metaspace32m":       (CURRENT + ["-XX:MaxMetaspaceSize=32m"], {}, None),
    "Xss160k":            (replace(CURRENT, "-Xss", "-Xss160k"), {}, None),
    "Xss1m":              (replace(CURRENT, "-Xss", "-Xss1m"), {}, None),
    "heap4-32-Xmn2m":     (replace(replace(CURRENT, "-Xms", "-Xms4m"), "-Xmx", "-Xmx32m") + ["-Xmn2m"], {}, None),
    "heap2-16":           (replace(replace(CURRENT, "-Xms", "-Xms2m"), "-Xmx", "-Xmx16m"), {}, None),
    "-CompClassPtrs":     (CURRENT + ["-XX:-UseCompressedClassPointers"], {}, None),
    "+CompactHeaders":    (CURRENT + ["-XX:+UseCompactObjectHeaders"], {}, None),
    "malloc-arena-2":     (CURRENT, {"MALLOC_ARENA_MAX": "2"}, None),
    "trim5s":             (CURRENT + TRIM, {}, None),
    "norelocate":         (CURRENT + NOREL, {}, None),
    "cds-dynamic":        (CURRENT + ["-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=@CACHE@"], {}, "cds"),
    "aot":                (CURRENT + AOT, {}, "aot"),
    "aot-trained-logmon": (CURRENT + AOT, {}, "aot:logmon"),
    "aot+norelocate":     (CURRENT + NOREL + AOT, {}, "aot"),
    "aot+Xint":           (replace(CURRENT, "-XX:TieredStopAtLevel", "-Xint") + AOT, {}, "aot"),
    "lean":               (LEAN, {}, None),
    "lean+cds-dynamic":   (LEAN + ["-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=@CACHE@"], {}, "cds"),
    "lean+aot":           (LEAN + AOT, {}, "aot"),
    "lean+aot-relocating": (without(LEAN, *NOREL) + AOT, {}, "aot"),
    # PluginLauncher.DEFAULT_JVM_OPTIONS after issue 4 part 3 (= lean, plus -XX:+IgnoreUnrecognizedVMOptions)
    "new-default":        (NEW, {}, None),
    "new-default+aot":    (NEW + AOT, {}, "aot"),
    "new-default+aot-nolink": (NEW + ["-XX:-AOTClassLinking"] + AOT, {}, "aot"),
    "new-default+cds-dyn": (NEW + ["-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=@CACHE@"], {}, "cds"),
    # PluginLauncher after issue 5 (per-task memory): the executor alone runs with -Xint
    "new-default+Xint+cds-dyn": (NEW + ["-Xint", "-XX:+AutoCreateSharedArchive", "-XX:SharedArchiveFile=@CACHE@"], {}, "cds"),
    "lean+aot+Xint":      (replace(without(LEAN, "-XX:CICompilerCount"), "-XX:TieredStopAtLevel", "-Xint") + AOT, {}, "aot"),
}


def cpu_ms(pid):
    try:
        return cpu_seconds(pid) * 1000
    except (OSError, IndexError):
        return 0.0


def rpc(sock_path, method, timeout=10):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout)
    try:
        s.connect(sock_path)
        msg = json.dumps({"id": 1, "method": method, "session": "", "body": {}}).encode()
        s.sendall(struct.pack(">i", len(msg)) + msg)
        n = struct.unpack(">i", recv_exact(s, 4))[0]
        return json.loads(recv_exact(s, n))
    finally:
        s.close()


class Plugin:
    seq = 0

    def __init__(self, work, lib, plugin, opts, env, log_name=None):
        Plugin.seq += 1
        self.sock = os.path.join(work, f"{plugin}-{Plugin.seq}.sock")
        log = open(os.path.join(work, log_name or f"{plugin}-{Plugin.seq}.log"), "ab")
        cmd = [JAVA] + opts + ["-cp", lib + "/*", "dev.drover.sdk.plugin.PluginMain", plugin, self.sock]
        self.t0 = time.perf_counter()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=log,
                                     env={**os.environ, **env})
        log.close()
        self.start_ms = None
        self.cpu = None

    def handshake(self):
        # JVM warnings/errors (e.g. a CDS mismatch) go to stdout unless -Xlog says otherwise: skip them
        line = self.proc.stdout.readline().decode()
        while line.startswith("["):
            self.jvm_stdout = getattr(self, "jvm_stdout", "") + line
            line = self.proc.stdout.readline().decode()
        self.start_ms = (time.perf_counter() - self.t0) * 1000
        self.cpu = cpu_ms(self.proc.pid)
        if not line.startswith("DROVER_PLUGIN "):
            raise RuntimeError(f"no handshake (exit {self.proc.poll()}): {line!r}")
        return self

    def stop(self, timeout=60):
        try:
            rpc(self.sock, "plugin.shutdown")
        except (OSError, BenchError):
            pass
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc.stdout.close()
        try:
            os.unlink(self.sock)
        except OSError:
            pass


def burst(work, lib, plugin, opts, env, n):
    """n plugins started at the same moment: (ms until all have handshaken, the plugins)."""
    t = time.perf_counter()
    ps = [Plugin(work, lib, plugin, opts, env) for _ in range(n)]
    for p in ps:
        p.handshake()
    return (time.perf_counter() - t) * 1000, ps


def build_cache(kind, opts, env, work, lib, plugin, name):
    """Creates the cache an option set needs; returns (path, seconds, bytes)."""
    safe = "".join(c if c.isalnum() else "_" for c in name)
    t = time.perf_counter()
    if kind.startswith("aot"):
        path = os.path.join(work, safe + ".aot")
        train_plugin = kind.split(":", 1)[1] if ":" in kind else plugin
        train_opts = [o for o in opts if not o.startswith("-XX:AOTCache=")] + [f"-XX:AOTCacheOutput={path}"]
    elif kind == "cds":
        path = os.path.join(work, safe + ".jsa")
        train_plugin = plugin
        train_opts = [o.replace("@CACHE@", path) for o in opts]
    else:
        raise ValueError(kind)
    # the training run: the plugin's start-up and one RPC, then a normal exit writes the cache
    p = Plugin(work, lib, train_plugin, train_opts, env, log_name=safe + ".train.log").handshake()
    rpc(p.sock, "plugin.info")
    p.stop(timeout=300)
    if not os.path.exists(path):
        raise RuntimeError(f"{name}: cache {path} was not created; see {work}/{safe}.train.log")
    return path, time.perf_counter() - t, os.path.getsize(path)


def print_start_only(args, names, results, caches, sets, work, lib):
    bursts = {n: [] for n in names}
    for _ in range(3):
        for n in names:
            ms, ps = burst(work, lib, args.plugin, *sets[n], args.concurrent)
            bursts[n].append(ms)
            for p in ps:
                p.stop()
    med = statistics.median
    print(f"Plugin JVM start: `PluginMain {args.plugin}`, K={args.k} sequential launches, {os.cpu_count()} cores, "
          f"load {open('/proc/loadavg').read().split()[0]} at the end")
    print(f"| option set | start ms median | p10 | min | cpu ms median | burst{args.concurrent} ms median of 3 |")
    print("|---|---|---|---|---|---|")
    for n in names:
        st = sorted(results[n]["start"])
        print(f"| {n} | {med(st):.0f} | {st[len(st) // 10]:.0f} | {st[0]:.0f} | {med(results[n]['cpu']):.0f} | {med(bursts[n]):.0f} |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", type=int, default=10, help="sequential launches per option set")
    ap.add_argument("--concurrent", type=int, default=10)
    ap.add_argument("--plugin", default="executor")
    ap.add_argument("--lib", default=os.path.join(ROOT, "dist/target/lib"))
    ap.add_argument("--idle", type=float, default=10.0, help="seconds after the handshake before memory is read")
    ap.add_argument("--mem-runs", type=int, default=2, help="idle-memory samples per option set")
    ap.add_argument("--only", default="", help="comma-separated option set names")
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--keep", action="store_true", help="keep the scratch dir")
    ap.add_argument("--start-only", action="store_true", help="only the start-time phase (and burst)")
    args = ap.parse_args()
    if args.list:
        for n, (o, e, c) in SETS.items():
            print(f"{n:22} {' '.join(f'{k}={v}' for k, v in e.items())} {' '.join(o)}" + (f"   [cache: {c}]" if c else ""))
        return 0
    names = [n for n in (args.only.split(",") if args.only else SETS) if n]
    for n in names:
        if n not in SETS:
            sys.exit(f"unknown option set {n}; --list shows them")
    if not os.path.exists(os.path.join(args.lib, "drover-plugin-sdk-0.1.0-SNAPSHOT.jar")) and \
            not any(f.startswith("drover-plugin-sdk") for f in os.listdir(args.lib)):
        sys.exit(f"{args.lib} holds no plugin-sdk jar; build with ./mvnw -q -o -DskipTests package")

    work = tempfile.mkdtemp(prefix="drover-jvm-bench-")
    lib = os.path.join(work, "lib")
    shutil.copytree(args.lib, lib)
    try:
        sets = {}
        caches = {}
        for n in names:
            opts, env, kind = SETS[n]
            if kind:
                path, secs, size = build_cache(kind, opts, env, work, lib, args.plugin, n)
                caches[n] = (secs, size)
                opts = [o.replace("@CACHE@", path) for o in opts]
            sets[n] = (opts, env)

        results = {n: {"start": [], "cpu": []} for n in names}
        # 1. start time: K rounds, each round launches every set once (interleaved against drift)
        for _ in range(args.k):
            for n in names:
                opts, env = sets[n]
                p = Plugin(work, lib, args.plugin, opts, env).handshake()
                results[n]["start"].append(p.start_ms)
                results[n]["cpu"].append(p.cpu)
                p.stop()
        if args.start_only:
            print_start_only(args, names, results, caches, sets, work, lib)
            return 0
        # 2. memory of one idle plugin alone, `--idle` s after its handshake
        for _ in range(args.mem_runs):
            for n in names:
                opts, env = sets[n]
                p = Plugin(work, lib, args.plugin, opts, env).handshake()
                time.sleep(args.idle)
                m = smaps_rollup(p.proc.pid)
                r = results[n]
                for key, field in (("rss", "Rss"), ("pss", "Pss"), ("pss_anon", "Pss_Anon"), ("pss_file", "Pss_File")):
                    r.setdefault(key, []).append(m.get(field, 0))
                r.setdefault("threads", []).append(len(os.listdir(f"/proc/{p.proc.pid}/task")))
                p.stop()
        # 3. `--concurrent` plugins started at the same moment; memory once all are idle
        for n in names:
            ms, ps = burst(work, lib, args.plugin, *sets[n], args.concurrent)
            time.sleep(args.idle)
            mems = [smaps_rollup(p.proc.pid) for p in ps]
            for p in ps:
                p.stop()
            results[n]["burst"] = ms
            results[n]["pss_conc"] = statistics.mean(m.get("Pss", 0) for m in mems)
            results[n]["anon_conc"] = statistics.mean(m.get("Pss_Anon", 0) for m in mems)

        print(f"Plugin JVM options: `PluginMain {args.plugin}`, K={args.k} sequential launches, {args.concurrent} concurrent, "
              f"{os.cpu_count()} cores, {open('/proc/loadavg').read().split()[0]} load, "
              f"{subprocess.run([JAVA, '-version'], capture_output=True, text=True).stderr.splitlines()[0]}")
        print(f"start/cpu = median ms to handshake (min) and CPU ms used by then; RSS/PSS = median MiB of one plugin alone, "
              f"{args.idle:.0f} s idle; PSS@{args.concurrent} = mean PSS (anon) MiB with {args.concurrent} running; "
              f"burst = ms until {args.concurrent} simultaneous starts all handshook")
        hdr = f"| {'option set':22} | start ms (min) | cpu ms | RSS | PSS | PSS anon | PSS file | thr | PSS@{args.concurrent} (anon) | burst{args.concurrent} ms | cache |"
        print(hdr)
        print("|" + "|".join("-" * (len(c)) for c in hdr.split("|")[1:-1]) + "|")
        for n in names:
            r = results[n]
            med = statistics.median
            cache = f"{caches[n][1] / 1e6:.1f} MB, {caches[n][0]:.1f} s" if n in caches else ""
            print(f"| {n:22} | {med(r['start']):6.0f} ({min(r['start']):4.0f}) | {med(r['cpu']):6.0f} | "
                  f"{mib(med(r['rss'])):5.1f} | {mib(med(r['pss'])):5.1f} | {mib(med(r['pss_anon'])):5.1f} | "
                  f"{mib(med(r['pss_file'])):5.1f} | {med(r['threads']):3.0f} | {mib(r['pss_conc']):5.1f} ({mib(r['anon_conc']):4.1f}) | "
                  f"{r['burst']:6.0f} | {cache} |")
        print()
        for n in names:
            print(f"  {n}: {' '.join(f'{k}={v}' for k, v in sets[n][1].items())} {' '.join(sets[n][0])}")
    finally:
        if args.keep:
            print(f"scratch dir kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
