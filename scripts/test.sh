#!/usr/bin/env bash
# The one test command (README, CI): prepares a fresh Debian machine, then runs the whole suite.
# Needs root for apt and for the process/cgroup tests. Safe to run again: it installs only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the suite uses. A missing one is installed; if that fails the run fails
# with the package's name, never a silent skip.
# crun/runc: the isolated executor's OCI runtimes; perl: the sandbox tests' fork bomb and memory hog.
# docker.io, docker-registry, busybox-static: the docker tests start a private dockerd and registry and build images from busybox.
# python3-prometheus-client: the Prometheus project's own text-format parser, which the metrics tests hand scrapes to.
# tmux: AllocExecTerminalIT (dist) types into `drover alloc exec -t` in a real terminal, a tmux pane.
packages=(util-linux procps crun runc perl docker.io docker-registry busybox-static python3-prometheus-client tmux)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" || { echo "Error: could not install ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1; }
fi

# crun refuses every container on a hybrid cgroup host while the cgroup2 hierarchy still holds a
# controller (a fresh machine of this kind has hugetlb there): "cgroups in hybrid mode not
# supported, drop all controllers from cgroupv2". Mounting those controllers as v1 moves them
# out, once per boot. The exec driver's fingerprint reports the same fix to users.
if [ -d /sys/fs/cgroup/unified ] && [ -d /sys/fs/cgroup/memory ]; then
  for c in $(cat /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null); do
    echo "==> Moving the $c cgroup controller from cgroup2 to a v1 hierarchy (so crun can run)"
    mkdir -p "/sys/fs/cgroup/$c"
    mount -t cgroup -o "$c" cgroup "/sys/fs/cgroup/$c" \
      || { echo "Error: could not mount the $c controller as cgroup v1 at /sys/fs/cgroup/$c" >&2; exit 1; }
  done
fi

# JDK 25 or newer.
for home in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/*; do
  [ -n "$home" ] && [ -x "$home/bin/java" ] || continue
  v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  if [ -n "$v" ] && [ "${v%%.*}" -ge 25 ] 2>/dev/null; then export JAVA_HOME="$home"; break; fi
done
if [ -z "${JAVA_HOME:-}" ] || ! "$JAVA_HOME/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
  echo "Error: no JDK 25 or newer found; install one (e.g. Temurin 25) or set JAVA_HOME" >&2
  exit 1
fi

echo "==> Running the test suite with $JAVA_HOME"
exec ./mvnw -B -ntp verify "$@"
