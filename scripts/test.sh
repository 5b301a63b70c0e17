#!/usr/bin/env bash
# The one test command (README, CI): prepares a fresh Debian machine, then runs the whole suite.
# Needs root for apt and for the process/cgroup tests. Safe to run again: it installs only what is missing.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Debian packages the suite uses. A missing one is installed; if that fails the run fails
# with the package's name, never a silent skip.
packages=(util-linux procps)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> Installing missing packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" || { echo "Error: could not install ${missing[*]} (apt-get install ${missing[*]})" >&2; exit 1; }
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
