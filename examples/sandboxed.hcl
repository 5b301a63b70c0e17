# A task in a sandbox: the exec driver runs it through crun (or runc) as nobody, with Nomad's 13
# capabilities, its own PID/IPC/UTS/mount namespaces, the host's /bin /etc /lib /usr … bound
# read-only, and memory + process limits from its cgroup.
job "sandboxed" {
  type = "batch"
  group "g" {
    task "look" {
      driver = "exec"
      config {
        command    = "/bin/sh"
        args       = ["-c", "id; echo pid=$$; ls /; touch /usr/x || echo /usr is read-only"]
        pids_limit = 64
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }
  }
}
