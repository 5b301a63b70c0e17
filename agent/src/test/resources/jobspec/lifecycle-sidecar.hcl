job "app-with-proxy" {
  datacenters = ["dc1"]

  group "app" {
    count = 2

    network {
      mode = "host"
      port "http" {}
      port "admin" {
        static = 9901
      }
    }

    task "init-db" {
      lifecycle {
        hook    = "prestart"
        sidecar = false
      }
      driver = "exec"
      config {
        command = "/usr/local/bin/migrate"
        args    = ["--db", "postgres://db.service.consul/app"]
      }
      resources {
        cpu    = 100
        memory = 64
      }
    }

    task "proxy" {
      lifecycle {
        hook    = "prestart"
        sidecar = true
      }
      driver = "exec"
      config {
        command = "/usr/local/bin/envoy"
        args    = ["--admin-port", "${NOMAD_PORT_admin}"]
      }
    }

    task "web" {
      driver = "exec"
      leader = true
      config {
        command = "/usr/local/bin/web"
        args    = ["-listen", ":${NOMAD_PORT_http}"]
      }
      shutdown_delay = "5s"
      restart {
        attempts = 5
        delay    = "10s"
      }
    }

    task "flush-cache" {
      lifecycle {
        hook = "poststop"
      }
      driver = "exec"
      config {
        command = "/usr/local/bin/flush"
      }
    }
  }
}
