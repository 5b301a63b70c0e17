// A nightly batch job run with raw_exec; the script is a heredoc.
job "nightly-report" {
  datacenters = ["dc1", "dc2"]
  type        = "batch"
  priority    = 70

  periodic {
    crons            = ["0 2 * * *"]
    prohibit_overlap = true
  }

  group "report" {
    task "generate" {
      driver = "raw_exec"
      user   = "nobody"

      config {
        command = "/bin/sh"
        args = ["-c", <<-EOT
          set -eu
          echo "report for ${NOMAD_JOB_NAME}" > "${NOMAD_TASK_DIR}/report.txt"
          cat "$${HOME}/notes"
          EOT
        ]
      }

      env {
        REPORT_FORMAT = "csv"
        MAX_ROWS      = 5000
        VERBOSE       = true
      }

      kill_timeout = "1m30s"
      kill_signal  = "SIGINT"

      logs {
        max_files     = 3
        max_file_size = 5
      }

      resources {
        cpu        = 250
        memory     = 128
        memory_max = 512
      }
    }
  }
}
