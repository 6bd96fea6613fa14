#!/usr/bin/env bash
# Speed figures (not a test): WPP loading, engine time per projected year, and the default
# China run end to end (cold cache, then warm). Compare ratios within one run: machines
# are shared and noisy.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
wpp=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
echo "== engine (bench_ccm, China)"
"$root/build/bench_ccm" "$wpp" China "${REPEATS:-20000}"

cache=$(mktemp -d /tmp/popsim_bench_XXXXXX)
trap 'rm -rf "$cache"' EXIT
run_once() {
  local t0 t1
  t0=$(date +%s.%N)
  POPSIM_CACHE_DIR="$cache" "$root/build/popsim" run -q "$root/scenarios/china.yaml" -o "$cache/china.h5"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }'
}
echo "== end to end: popsim run scenarios/china.yaml (reading WPP, projecting, writing HDF5)"
printf 'cold cache                   %8.3f s\n' "$(run_once)"
times=()
for _ in 1 2 3 4 5 6 7 8 9; do times+=("$(run_once)"); done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 5p)
printf 'warm cache (median of 9)     %8.3f s\n' "$median"
