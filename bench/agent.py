"""One `bin/drover agent -dev` under benchmark: started on a fresh data dir under the run's work dir
and a free port on 127.0.0.1, its API, its processes, waiting for jobs to run, and a checked stop
(nothing of its data dir may be left in /proc afterwards).

Used by bench/supervision.py, isolation.py, docker.py and exec_latency.py.
"""
import os, shutil, signal, subprocess, tempfile, time

from common import (DROVER, JAVA_HOME, BenchError, out, progress, mib, free_port, tail, api, wait_health,
                    jcmd)
from procs import (scan, refers_to, describe, kill_pids, proc_args, is_java, is_drover, aot_mode, role,
                   mem_available_kb)


class Agent:
    """`with Agent(bench, label, args=[...], config=HCL) as ag:`; `bench` is a common.BenchRun.

    jvm_tasks: set when a task may itself be a JVM (the java driver). Drover's own processes are
    those naming its classes plus, without it, any JVM among them (e.g. the java driver's
    `java -version` probe); with it, only JVMs building the plugins' class data cache."""

    def __init__(self, bench, label, args=(), config=None, jvm_tasks=False):
        self.bench = bench
        self.label = label
        self.args = list(args)
        self.jvm_tasks = jvm_tasks
        self.data = tempfile.mkdtemp(prefix=f"{label}.", dir=bench.root)
        self.log = self.data + ".agent.log"
        self.config = None
        if config is not None:
            self.config = self.data + ".hcl"
            with open(self.config, "w") as f:
                f.write(config)
        self.port = free_port()
        self.addr = f"http://127.0.0.1:{self.port}"
        self.proc = None
        self.hung = False

    def __enter__(self):
        try:
            self.start()
        except BaseException as e:
            self.__exit__(type(e), e, None)
            raise
        return self

    def __exit__(self, exc_type, exc, tb):
        if isinstance(exc, BenchError):  # report it before the clean-up's findings
            self.bench.problem(f"{self.label} FAILED: {exc}")
            exc.reported = True
        self.close(failed=exc_type is not None)
        return False

    def start(self):
        cmd = [DROVER, "agent", "-dev"] + (["-config", self.config] if self.config else []) \
            + ["-bind", "127.0.0.1", "-data-dir", self.data, "-http-port", str(self.port)] + self.args
        env = dict(os.environ, JAVA_HOME=JAVA_HOME)
        with open(self.log, "wb") as logf:
            # Own session: a Ctrl-C at the terminal reaches only us; we stop the agent ourselves.
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=logf, stderr=subprocess.STDOUT,
                                         env=env, start_new_session=True)
        wait_health(self.addr, self.proc, timeout=90, log=self.log, what=f"agent ({self.label})")
        self.bench.note_flags("agent", proc_args(self.proc.pid))

    def api(self, method, path, body=None, timeout=120):
        return api(self.addr, method, path, body, timeout)

    def submit(self, job):
        """PUT /v1/jobs; returns the alloc ids. self.submit_s: how long the call took."""
        t = time.time()
        ids = self.api("PUT", "/v1/jobs", job, timeout=300)["AllocIDs"]
        self.submit_s = time.time() - t
        return ids

    def is_own(self, args):
        if is_drover(args):
            return True
        return is_java(args) and (not self.jvm_tasks or aot_mode(args) is not None)

    def processes(self):
        """(drover {pid: role}, tasks [pid], table) of this agent: the agent and its descendants while
        it lives, and anything referring to its data dir."""
        table = scan()
        ours = set()
        if self.proc is not None and self.proc.poll() is None:
            children = {}
            for pid, (ppid, _) in table.items():
                children.setdefault(ppid, []).append(pid)
            todo = [self.proc.pid]
            while todo:
                pid = todo.pop()
                if pid in table and pid not in ours:
                    ours.add(pid)
                    todo.extend(children.get(pid, ()))
        for pid, (_, args) in table.items():
            if pid not in ours and refers_to(pid, args, self.data):
                ours.add(pid)
        drover = {pid: role(table[pid][1]) for pid in ours if self.is_own(table[pid][1])}
        tasks = sorted(pid for pid in ours if pid not in drover)
        return drover, tasks, table

    def tasks(self):
        return self.processes()[1]

    def stop_job(self, job, timeout=60):
        """DELETE ?purge=true, then wait until none of its task processes is left; seconds taken."""
        t0 = time.time()
        self.api("DELETE", f"/v1/job/{job}?purge=true")
        deadline = t0 + timeout
        while True:
            _, tasks, table = self.processes()
            if not tasks:
                return time.time() - t0
            if time.time() > deadline:
                raise BenchError(f"{len(tasks)} task processes still alive {timeout:.0f} s after stopping job {job}:\n"
                                 f"{describe(tasks, table)}")
            time.sleep(0.1)

    def diagnose(self, allocs, limit=3):
        """Last task events of the given allocation stubs, the agent log and the newest plugin logs."""
        lines = []
        for a in allocs[:limit]:
            try:
                full = self.api("GET", f"/v1/allocation/{a['ID']}", timeout=10)
            except BenchError:
                full = a
            lines.append(f"    alloc {full['ID']} ({full.get('Name')}): ClientStatus={full.get('ClientStatus')}")
            for name, ts in (full.get("TaskStates") or {}).items():
                lines.append(f"      task {name}: State={ts.get('State')} Failed={ts.get('Failed')} Restarts={ts.get('Restarts')}")
                for e in (ts.get("Events") or [])[-6:]:
                    msg = e.get("DisplayMessage") or e.get("Message") or ""
                    extra = f" [driver: {e['DriverMessage']}]" if e.get("DriverMessage") else ""
                    lines.append(f"        {e.get('Type')}: {msg}{extra}")
        if len(allocs) > limit:
            lines.append(f"    … and {len(allocs) - limit} more")
        lines.append(f"    agent log ({self.log}):\n{tail(self.log, 12)}")
        plugin_dir = os.path.join(self.data, "plugins")
        try:
            logs = sorted((os.path.join(plugin_dir, f) for f in os.listdir(plugin_dir)
                           if f.endswith(".log") and os.path.getsize(os.path.join(plugin_dir, f)) > 0),
                          key=os.path.getmtime)[-2:]
        except OSError:
            logs = []
        for p in logs:
            lines.append(f"    plugin log {p}:\n{tail(p, 8)}")
        return "\n".join(lines)

    def close(self, failed=False):
        """SIGINT (-dev: stops the tasks), wait, then check nothing of the data dir is left in /proc."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(150)
            except subprocess.TimeoutExpired:
                self.hung = True
                dump = self.data + ".threads.txt"
                try:
                    text = jcmd(self.proc.pid, "Thread.print")
                    with open(dump, "w") as f:
                        f.write(text)
                    stacks = shutdown_stacks(text)
                except (BenchError, OSError) as e:
                    stacks = f"      (no thread dump: {e})"
                self.bench.problem(f"{self.label}: agent did not exit within 150 s of SIGINT; killed it. "
                                   f"Thread dump in {dump}; shutdown-related threads:\n{stacks}")
                self.proc.kill()
                self.proc.wait()
        deadline = time.time() + 20
        while True:
            drover, tasks, table = self.processes()
            left = sorted(set(drover) | set(tasks))
            if not left or time.time() > deadline:
                break
            time.sleep(0.2)
        if left:
            self.bench.problem(f"{self.label}: {len(left)} processes of data dir {self.data} left after the agent stopped "
                               f"(killing them):\n{describe(left, table)}")
            alive = kill_pids(left, self.data)
            if alive:
                self.bench.problem(f"{self.label}: {len(alive)} of them survive SIGKILL: {alive[:10]}")
        out(f"    cleanup: agent stopped (status {self.proc.returncode if self.proc else '-'}), "
            f"{len(left)} processes of its data dir left" + (" — LEFTOVERS, see above" if left else ""))
        if not self.bench.keep and not failed and not left and not self.hung:
            shutil.rmtree(self.data, ignore_errors=True)
            for path in filter(None, (self.log, self.config)):
                try:
                    os.remove(path)
                except OSError:
                    pass
        else:
            shutil.rmtree(os.path.join(self.data, "alloc"), ignore_errors=True)  # big log files
            self.bench.kept += [self.log, self.data, self.data + ".threads.txt"]  # agent log, plugin logs, state
            if self.config:
                self.bench.kept.append(self.config)


def shutdown_stacks(dump, limit=3, depth=14):
    """From a Thread.print dump, the threads that take part in shutting down (signal handler,
    shutdown hooks, the agent's command), each cut to its top frames."""
    keys = ("AgentCommand.lambda", "Agent.drain", "Agent.close", '"SIGINT handler"', '"SIGTERM handler"', "Shutdown.exit")
    blocks = [b for b in dump.split("\n\n") if b.lstrip().startswith('"') and any(k in b for k in keys)]
    blocks.sort(key=lambda b: "handler\"" in b.split("\n", 1)[0])  # the hook's own thread first
    out_lines = []
    for b in blocks[:limit]:
        lines = b.strip().splitlines()
        out_lines += ["      | " + l for l in lines[:depth]] + (["      | …"] if len(lines) > depth else [])
    return "\n".join(out_lines) or "      (no shutdown-related thread found)"


FAILURE_EVENTS = ("Setup Failure", "Driver Failure", "Failed Validation", "Task hook failed", "Terminated")


class Restarts:
    """Start attempts that failed and were retried, with their reasons."""

    def __init__(self, allocs=(), task="sleep"):
        self.tasks = self.count = 0
        self.reasons = {}
        for a in allocs:
            ts = (a.get("TaskStates") or {}).get(task) or {}
            if ts.get("Restarts"):
                self.tasks += 1
                self.count += ts["Restarts"]
                for e in ts.get("Events") or []:
                    if e.get("Type") in FAILURE_EVENTS:
                        msg = f"{e['Type']}: {e.get('DisplayMessage') or e.get('Message') or ''}"[:160]
                        self.reasons[msg] = self.reasons.get(msg, 0) + 1

    def line(self):
        if not self.tasks:
            return "none"
        top = sorted(self.reasons.items(), key=lambda kv: -kv[1])[:3]
        return (f"{self.tasks} tasks needed {self.count} restarts to run; "
                + "; ".join(f"{c}x \"{m}\"" for m, c in top))


def wait_running(agent, job, n, timeout, task="sleep"):
    """Polls the job's allocations until n tasks run; raises with a diagnosis when a task fails for
    good, on timeout, or when the node runs short of memory. Returns ({alloc id: stub}, Restarts)."""
    t0 = time.time()
    deadline = t0 + timeout
    last_note = t0
    poll = 0.1 if n <= 20 else 0.5
    while True:
        allocs = agent.api("GET", f"/v1/job/{job}/allocations")
        running, failed, states = {}, [], {}
        for a in allocs:
            ts = (a.get("TaskStates") or {}).get(task) or {}
            state = ts.get("State", "pending")
            states[state] = states.get(state, 0) + 1
            if state == "running" and ts.get("StartedAt"):
                running[a["ID"]] = a
            elif state == "dead":
                failed.append(a)
        if len(running) >= n:
            return running, Restarts(allocs, task)
        if failed:
            raise BenchError(f"{len(failed)} of {n} tasks of job {job} failed to start ({len(running)} running, "
                             f"states {states}); restarts so far: {Restarts(allocs, task).line()}; "
                             f"last task events:\n{agent.diagnose(failed)}")
        now = time.time()
        if now > deadline:
            pending = [a for a in allocs if a["ID"] not in running]
            raise BenchError(f"timeout: only {len(running)}/{n} tasks of job {job} running after {timeout:.0f} s "
                             f"(states {states}); restarts so far: {Restarts(allocs, task).line()}; "
                             f"waiting allocations:\n{agent.diagnose(pending)}")
        avail = mem_available_kb()
        if avail and avail < 768 * 1024:
            raise BenchError(f"MemAvailable fell to {mib(avail):.0f} MiB with {len(running)}/{n} tasks running; "
                             f"aborting this phase before the node runs out of memory")
        if now - last_note > 15:
            r = Restarts(allocs, task)
            progress(f"{len(running)}/{n} running after {now - t0:.0f} s (MemAvailable {mib(avail) / 1024:.1f} GiB"
                     + (f", {r.count} restarts so far" if r.count else "") + ")")
            last_note = now
        time.sleep(poll)


def latencies_ms(running, task="sleep"):
    """API accepted -> task running (StartedAt - CreateTime) of each running allocation, ms."""
    return [(a["TaskStates"][task]["StartedAt"] - a["CreateTime"]) / 1e6 for a in running.values()]
