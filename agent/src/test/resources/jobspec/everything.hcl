/*
 * Every setting Drover reads, set away from its default.
 */
job "everything" {
  name        = "Everything Job"
  type        = "service"
  region      = "eu"
  namespace   = "platform"
  datacenters = ["eu-west-1", "eu-west-2"]
  priority    = 90

  meta = {
    team          = "platform"
    "cost.center" = 1234
  }

  group "api" {
    count = 0

    meta {
      tier = "backend"
    }

    restart {
      attempts = 10
      interval = "5m"
      delay    = "25s"
      mode     = "delay"
    }

    network {
      mode = "bridge"
      port "grpc" {
        static       = 8443
        to           = 443
        host_network = "public"
      }
      port "metrics" {
        to = -1
      }
    }

    task "server" {
      driver = "docker"
      user   = "app"

      config {
        image   = "example/api:2.1"
        ports   = ["grpc", "metrics"]
        command = "serve"
        args    = ["--threads", 8, "--ratio", 0.75, "--debug", false]
        labels {
          com_example_team = "platform"
        }
        mount {
          type   = "bind"
          source = "local/config"
          target = "/etc/api"
        }
        mount {
          type     = "tmpfs"
          target   = "/scratch"
          readonly = false
        }
        port_map = {
          grpc = 443
        }
      }

      env = {
        LOG_LEVEL = "debug"
        DATA_DIR  = "${NOMAD_ALLOC_DIR}/data"
      }

      meta {
        owner = "alice"
      }

      resources {
        cpu        = 1200
        memory     = 1024
        memory_max = 2048
      }

      restart {
        attempts = 1
        mode     = "fail"
      }

      kill_timeout   = "45s"
      kill_signal    = "SIGTERM"
      shutdown_delay = "2s"
      leader         = true

      logs {
        max_files     = 4
        max_file_size = 20
        disabled      = true
      }
    }
  }
}
