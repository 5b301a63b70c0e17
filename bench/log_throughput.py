"""Phase 3 of bench/supervision.py: log throughput through logmon, next to like-for-like baselines.

A raw_exec task `cat`s a page-cached file of numbered fixed-width lines to stdout; logmon writes the
rotated files, which are checked line by line (lost, duplicated, malformed) and against logmon's own
counters in /v1/metrics. The baselines are the same producer task writing into a fifo that the bench
copies into a file (`pipe`), and writing the file itself (`file`). Runs alternate.
"""
import hashlib, os, re, shlex, statistics, subprocess, time

from common import MIB, BenchError, out, progress, mib

# Fixed-width numbered lines: 12 digits + text = 64 bytes, so 1 GiB is exactly 16 Mi lines.
LINE = b"%012d drover log throughput line abcdefghijklmnopqrstuvw\n"
LINE_LEN = len(LINE % 0)
assert LINE_LEN == 64


class LogThroughput:
    """`bench`: supervision's Bench (work dir, problems, results per placement)."""

    def __init__(self, bench, log_bytes, runs):
        self.bench = bench
        self.log_bytes = log_bytes
        self.runs = runs
        self.source = None

    def make_source(self):
        """The source file, written once per run: numbered fixed-width lines, with its size and sha256."""
        if self.source:
            return self.source
        path = os.path.join(self.bench.root, "source.log")
        lines = self.log_bytes // LINE_LEN
        progress(f"writing {lines} numbered lines ({lines * LINE_LEN / MIB:.0f} MiB) to {path}")
        sha = hashlib.sha256()
        with open(path, "wb") as f:
            step = 65536
            for start in range(0, lines, step):
                chunk = b"".join([LINE % i for i in range(start, min(lines, start + step))])
                sha.update(chunk)
                f.write(chunk)
        self.source = {"path": path, "size": lines * LINE_LEN, "lines": lines, "sha": sha.hexdigest()}
        return self.source

    def phase(self, placement, agent):
        """Three ways of writing the same data, runs alternating, medians and every run printed. In
        each the producer is the same: a raw_exec task (same resources, same cgroups) `cat`ing the
        same page-cached file; only where its output goes differs, and the output lands on the
        same file system (all under the work dir):
          logmon:  task stdout -> fifo -> logmon -> rotated files
          pipe:    task `> fifo` -> `cat fifo > file` run by the bench (what logmon stands in for:
                   a process reading a pipe and writing a file) -- the goal is judged against this
          file:    task `cat src > file`, no pipe at all (cat copies with copy_file_range, in the kernel)
        Time = the task's own start mark -> the last byte in the output (the newest file's mtime).
        `agent`: the phase's agent, not started yet (a context manager)."""
        src = self.make_source()
        size_mib = mib(src["size"] / 1024)
        runs = self.runs
        out(f"[3] Log throughput through logmon — {placement}, a raw_exec `cat` of {size_mib:.0f} MiB "
            f"({src['lines']} numbered lines), logs {{ max_files = 200  max_file_size = 10 }}, {runs} runs of each")
        out("  producer everywhere: the task's `cat` (cpu = 1024, memory = 300); time = its start -> the last byte "
            "in the output (file mtime)")
        times = {"logmon": [], "pipe": [], "file": []}
        loads = []
        with agent as ag:
            time.sleep(2)
            for i in range(runs):
                load = os.getloadavg()[0]
                # Every run starts with no dirty pages waiting for writeback (each deletes its output
                # when done): else later runs would pay for the writeback of earlier ones.
                os.sync()
                pipe, pipe_producer = self.baseline_run(ag, placement, "pipe", i)
                os.sync()
                file, _ = self.baseline_run(ag, placement, "file", i)
                os.sync()
                r = self.logmon_run(ag, placement, i)
                times["pipe"].append(pipe)
                times["file"].append(file)
                times["logmon"].append(r["s"])
                loads.append((load + os.getloadavg()[0]) / 2)
                out(f"  run {i + 1}: logmon {r['s']:.2f} s ({size_mib / r['s']:.0f} MiB/s, lost {r['lost']}; its producer "
                    f"{r['producer_s']:.2f} s)   pipe {pipe:.2f} s ({size_mib / pipe:.0f} MiB/s; producer {pipe_producer:.2f} s)   "
                    f"file {file:.2f} s ({size_mib / file:.0f} MiB/s)   node load {loads[-1]:.1f}")
                self.bench.results[placement].setdefault("log_runs", []).append(r)
        t, p, f = (statistics.median(times[k]) for k in ("logmon", "pipe", "file"))
        lost = max(r["lost"] for r in self.bench.results[placement]["log_runs"])
        out(f"  logmon:         median {t:.2f} s = {size_mib / t:.0f} MiB/s")
        out(f"  pipe baseline:  median {p:.2f} s = {size_mib / p:.0f} MiB/s   task > fifo -> `cat fifo > file` (like for like)"
            f"   -> logmon {p / t:.2f}x its throughput")
        out(f"  file baseline:  median {f:.2f} s = {size_mib / f:.0f} MiB/s   task `cat src > file` (copy_file_range, no pipe)"
            f"   -> logmon {f / t:.2f}x its throughput")
        out(f"  lines lost:     {lost} (worst run); node load {min(loads):.1f}–{max(loads):.1f} during the runs")
        self.bench.results[placement]["logs"] = {"s": t, "pipe_s": p, "file_s": f, "mibs": size_mib / t, "lost": lost,
                                           "vs_pipe": p / t, "vs_file": f / t}
        out()

    def producer_job(self, job_id, marks, redirect):
        """The producing task: stamps its start, `cat`s the source (to stdout, or as `redirect` says), stays up."""
        script = (f"date +%s%N > {shlex.quote(marks + '.t0')}; cat {shlex.quote(self.source['path'])}{redirect} || exit 1; "
                  f"date +%s%N > {shlex.quote(marks + '.t1')}; exec sleep 600")
        # cpu = 1024 MHz: cpu.shares 1024, a plain process's weight (the default 100 starves the
        # producer as soon as other tasks on the node are busy).
        return {"Job": {"ID": job_id, "Type": "batch", "TaskGroups": [{
            "Name": "g", "Count": 1, "RestartPolicy": {"Attempts": 0, "Mode": "fail"},
            "Tasks": [{"Name": "cat", "Driver": "raw_exec", "Config": {"command": "/bin/sh", "args": ["-c", script]},
                       "Resources": {"CPU": 1024, "MemoryMB": 300},
                       "LogConfig": {"MaxFiles": 200, "MaxFileSizeMB": 10}}]}]}}

    @staticmethod
    def mark(marks, suffix=".t0"):
        """A realtime ns stamp the producing task wrote (.t0 before its `cat`, .t1 after); None if missing."""
        try:
            with open(marks + suffix) as f:
                return int(f.read().strip())
        except (OSError, ValueError):
            return None

    def await_producer(self, ag, alloc_id, marks, what, timeout=900):
        """Waits for the producing task's end mark: a stat every 20 ms, the API every 2 s (is it still alive?)."""
        t_start = time.time()
        next_api = t_start + 2
        while self.mark(marks, ".t1") is None:
            now = time.time()
            if now >= next_api:
                next_api = now + 2
                a = ag.api("GET", f"/v1/allocation/{alloc_id}")
                if ((a.get("TaskStates") or {}).get("cat") or {}).get("State") == "dead" and self.mark(marks, ".t1") is None:
                    raise BenchError(f"{what}: the producing task ended early; last task events:\n{ag.diagnose([a])}")
            if now - t_start > timeout:
                raise BenchError(f"{what}: the producer did not finish within {timeout} s")
            time.sleep(0.02)

    def producer_s(self, marks):
        """How long the producer's `cat` took (it waits whenever the reader lags), or nan."""
        deadline = time.time() + 10
        while self.mark(marks, ".t1") is None and time.time() < deadline:
            time.sleep(0.05)
        t0, t1 = self.mark(marks), self.mark(marks, ".t1")
        return (t1 - t0) / 1e9 if t0 and t1 else float("nan")

    def baseline_run(self, ag, placement, kind, i):
        """pipe: the task writes into a fifo the bench's `cat` copies into a file; file: the task writes the file."""
        marks = os.path.join(self.bench.root, f"base-{placement}-{kind}-{i}")
        dst = marks + ".out"
        consumer = None
        if kind == "pipe":
            fifo = marks + ".fifo"
            os.mkfifo(fifo, 0o600)
            consumer = subprocess.Popen(["bash", "-c", f"cat < {shlex.quote(fifo)} > {shlex.quote(dst)}"])
            redirect = f" > {shlex.quote(fifo)}"
        else:
            redirect = f" > {shlex.quote(dst)}"
        job_id = f"base-{kind}-{i}"
        alloc_id = ag.submit(self.producer_job(job_id, marks, redirect))[0]
        # Poll as little as logmon's run does: the task's end mark first (one stat), then the output.
        self.await_producer(ag, alloc_id, marks, f"baseline {kind} run {i + 1}")
        deadline = time.time() + 60
        while not (os.path.exists(dst) and os.path.getsize(dst) >= self.source["size"]):
            if time.time() > deadline or (consumer and consumer.poll() not in (None, 0)):
                if consumer:
                    consumer.kill()
                raise BenchError(f"baseline {kind} run {i + 1}: output incomplete 60 s after the producer ended")
            time.sleep(0.02)
        if consumer:
            consumer.wait(timeout=60)
        seconds = (os.stat(dst).st_mtime_ns - self.mark(marks)) / 1e9
        producer = self.producer_s(marks)
        ag.stop_job(job_id, timeout=60)
        os.remove(dst)
        return seconds, producer

    def logmon_run(self, ag, placement, i):
        """The task `cat`s the source to stdout; the files are verified line by line and logmon's counters checked."""
        src = self.source
        marks = os.path.join(self.bench.root, f"logs-{placement}-{i}")
        job_id = f"logs-{i}"
        alloc_id = ag.submit(self.producer_job(job_id, marks, ""))[0]
        logs_dir = os.path.join(ag.api("GET", f"/v1/allocation/{alloc_id}")["AllocDir"], "alloc", "logs")
        pattern = re.compile(r"^cat\.stdout\.(\d+)$")

        def files():
            try:
                names = os.listdir(logs_dir)
            except OSError:
                return []
            found = sorted((int(m.group(1)), os.path.join(logs_dir, f)) for f in names if (m := pattern.match(f)))
            return [path for _, path in found]

        def written():
            total = 0
            for path in files():
                try:
                    total += os.path.getsize(path)
                except OSError:
                    pass
            return total

        self.await_producer(ag, alloc_id, marks, f"log throughput {placement} run {i + 1}")
        deadline = time.time() + 60
        while written() < src["size"]:
            if time.time() > deadline:
                raise BenchError(f"only {mib(written() / 1024):.0f} MiB in the log files 60 s after the producer ended")
            time.sleep(0.02)
        paths = files()
        seconds = (max(os.stat(path).st_mtime_ns for path in paths) - self.mark(marks)) / 1e9
        producer = self.producer_s(marks)
        counters = self.log_counters(ag, alloc_id, src["lines"])
        sha = hashlib.sha256()
        got_lines = got_bytes = 0
        for path in paths:
            with open(path, "rb") as f:
                while chunk := f.read(8 * MIB):
                    sha.update(chunk)
                    got_lines += chunk.count(b"\n")
                    got_bytes += len(chunk)
        identical = sha.hexdigest() == src["sha"] and got_bytes == src["size"]
        lost, dup, bad = (0, 0, 0) if identical else self.count_loss(paths, src["lines"])
        ag.stop_job(job_id, timeout=60)
        for path in paths:
            os.remove(path)  # like the baselines' output: no writeback left for the next run
        if not identical or lost:
            self.bench.problem(f"log throughput {placement} run {i + 1}: output differs from the source ({lost} lines lost, "
                         f"{dup} duplicated, {bad} malformed; {len(paths)} files, {got_bytes} bytes, {got_lines} lines)")
        c = counters
        ok = c == {"bytes": src["size"], "lines": src["lines"], "bytes_dropped": 0, "lines_dropped": 0}
        if not ok:
            self.bench.problem(f"log throughput {placement} run {i + 1}: logmon's counters {c} do not match the "
                         f"{src['size']} bytes / {src['lines']} lines written")
        if i == 0:
            out(f"  check:  {len(paths)} files, {got_bytes} bytes, {got_lines} lines, sha256 "
                f"{'identical' if identical else 'DIFFERENT'}; /v1/metrics log counters: {c.get('lines')} lines, "
                f"{c.get('bytes')} bytes written, {c.get('lines_dropped')} / {c.get('bytes_dropped')} dropped"
                f"{'' if ok else '  (MISMATCH)'}")
        return {"s": seconds, "producer_s": producer, "lost": lost}

    def log_counters(self, ag, alloc_id, lines, timeout=15):
        """The task's stdout counters from /v1/metrics, once the sampler (1 s) has seen all lines."""
        deadline = time.time() + timeout
        found = {}
        while time.time() < deadline:
            found = {}
            for c in ag.api("GET", "/v1/metrics").get("Counters", []):
                labels = c.get("Labels") or {}
                if labels.get("alloc_id") != alloc_id or labels.get("stream") != "stdout":
                    continue
                kind = {"drover_task_log_bytes_total": "bytes", "drover_task_log_lines_total": "lines"}.get(c.get("Name"))
                if kind:
                    found[kind if labels.get("outcome") == "written" else kind + "_dropped"] = int(c["Value"])
            if found.get("lines") == lines:
                break
            time.sleep(0.5)
        return found

    @staticmethod
    def count_loss(paths, lines):
        seen = bytearray(lines)
        dup = bad = 0
        for p in paths:
            with open(p, "rb") as f:
                for line in f:
                    try:
                        i = int(line[:12])
                    except ValueError:
                        bad += 1
                        continue
                    if len(line) != LINE_LEN or i >= lines or line != LINE % i:
                        bad += 1
                    elif seen[i]:
                        dup += 1
                    else:
                        seen[i] = 1
        return lines - sum(seen), dup, bad
