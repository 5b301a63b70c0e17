# A first Drover job: one service task on raw_exec that says hello every few seconds.
# Run it:   bin/drover job run examples/hello.hcl
job "hello" {
  datacenters = ["dc1"]
  type        = "service"

  group "greeter" {
    count = 1

    network {
      port "http" {}
    }

    restart {
      attempts = 3
      interval = "5m"
      delay    = "2s"
      mode     = "delay"
    }

    task "web" {
      driver = "raw_exec"

      config {
        command = "/bin/sh"
        args = [
          "-c",
          <<-EOT
          trap 'echo "got SIGHUP, reloading"' HUP
          trap 'echo "got SIGINT, bye"; exit 0' INT
          echo "hello from ${NOMAD_TASK_NAME} in alloc ${NOMAD_SHORT_ALLOC_ID}, port ${NOMAD_PORT_http}"
          while true; do
            echo "tick $(date +%T)"
            sleep 5 & wait $!
          done
          EOT
        ]
      }

      env {
        GREETING = "hi from ${node.unique.name}"
      }

      resources {
        cpu    = 100
        memory = 64
      }

      logs {
        max_files     = 3
        max_file_size = 5
      }

      kill_timeout = "3s"
    }
  }
}
