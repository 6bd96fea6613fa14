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

# Issue #3: a family of 1 baseline and 20 policy variants for China, end to end.
family="$cache/family21.yaml"
{
  printf 'name: china_baseline\nstart: 2025\nend: 2100\ndata:\n  location: China\n'
  printf 'birth_order:\n  first: 0.45\n  second: 0.42\n  third: 0.13\nvariants:\n'
  for i in $(seq 1 20); do
    printf '  - name: subsidy_%d\n    policies:\n      - lever: monthly_subsidy\n' "$i"
    printf '        start: 2026\n        first: %d\n        second: %d\n        third: %d\n' \
      $((i * 50)) $((i * 100)) $((i * 100))
  done
} >"$family"
run_family() {
  local t0 t1
  t0=$(date +%s.%N)
  POPSIM_CACHE_DIR="$cache" "$root/build/popsim" run -q "$family" -o "$cache/family.h5"
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", b - a }'
}
echo "== family: 1 baseline + 20 policy variants, China 2025-2100 (OMP threads: ${OMP_NUM_THREADS:-all})"
times=()
for _ in 1 2 3 4 5; do times+=("$(run_family)"); done
median=$(printf '%s\n' "${times[@]}" | sort -g | sed -n 3p)
printf 'end to end (median of 5)     %8.3f s for 21 scenarios\n' "$median"
