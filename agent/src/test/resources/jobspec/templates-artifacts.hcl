variable "image_tag" {
  type    = string
  default = "1.25"
}

job "web" {
  datacenters = ["us-east-1a", "us-east-1b"]
  namespace   = "frontend"
  region      = "us-east"

  vault {
    policies = ["frontend"]
  }

  group "nginx" {
    count = 3

    network {
      port "http" {
        to = 80
      }
    }

    task "nginx" {
      driver = "docker"

      config {
        image = "nginx:1.25"
        ports = ["http"]
        volumes = [
          "local/nginx.conf:/etc/nginx/conf.d/default.conf",
        ]
      }

      artifact {
        source      = "https://example.com/site.tar.gz"
        destination = "local/site"
      }

      template {
        destination   = "local/nginx.conf"
        change_mode   = "signal"
        change_signal = "SIGHUP"
        data          = <<EOF
server {
  listen {{ env "NOMAD_PORT_http" }};
  root /local/site;
}
EOF
      }

      service {
        name = "nginx"
        port = "http"
      }

      resources {
        cpu    = 200
        memory = 128
        device "nvidia/gpu" {
          count = 1
        }
      }
    }
  }
}
