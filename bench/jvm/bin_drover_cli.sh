#!/usr/bin/env bash
# Wall time of `bin/drover job status` as a user types it, for two copies of bin/drover (e.g. the committed
# one and the working tree's) against the same running agent. Interleaved rounds; prints median and min.
# Usage: bench/jvm/bin_drover_cli.sh OLD_BIN_DROVER NEW_BIN_DROVER [K=20] [args...]
#   The agent must be running at $DROVER_ADDR (default http://127.0.0.1:4646). The first run of the new
#   one (which starts its CLI AOT cache in the background) is not counted.
set -euo pipefail
old=$1 new=$2 k=${3:-20}
shift 3 || shift $#
args=("$@"); [ ${#args[@]} -gt 0 ] || args=(job status)
"$new" "${args[@]}" >/dev/null 2>&1 || true   # starts the CLI cache's creation
sleep 15
declare -A t
for i in $(seq "$k"); do
  for which in old new; do
    bin=${!which}
    s=$(date +%s%N); "$bin" "${args[@]}" >/dev/null 2>&1 || true; e=$(date +%s%N)
    t[$which]+="$(( (e - s) / 1000000 )) "
  done
done
for which in old new; do
  printf '%s %s: ' "$which" "${!which}"
  tr ' ' '\n' <<<"${t[$which]}" | grep . | sort -n | awk '{a[NR]=$1} END {printf "median %d ms, min %d ms (n=%d)\n", a[int((NR+1)/2)], a[1], NR}'
done
