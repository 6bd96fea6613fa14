#!/usr/bin/env bash
# Speed figures of the microsimulation (issue #5; not a test): person-years per second of
# (a) the minimal model (ageing, death, birth) and (b) the full model (migration, income
# classes with a low-income top-up, care need, childcare, kin), each with OMP_NUM_THREADS=1
# and 2, the 2-thread speed-up, bytes per person and peak resident memory per person.
# Synthetic inputs (bench/bench_micro.c), so no data files are needed. Machines are shared
# and noisy: compare ratios within one run.
# usage: scripts/bench_micro.sh
# env:   MICRO_PERSONS (default 10000000), MICRO_YEARS (25), MICRO_REGIONS (1),
#        BUILD_DIR (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
persons=${MICRO_PERSONS:-10000000}
years=${MICRO_YEARS:-25}
regions=${MICRO_REGIONS:-1}
build=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_micro >/dev/null
bench="$build/bench_micro"

speed() { awk '/^speed/ { print $2 }'; }
echo "== microsimulation: $persons persons, $years years, $regions region(s), $(nproc) cores"
for model in minimal full; do
  declare -A rate=()
  for threads in 1 2; do
    out=$(OMP_NUM_THREADS=$threads "$bench" "$model" "$persons" "$years" "$regions" 2>/dev/null)
    rate[$threads]=$(speed <<<"$out")
    echo "-- $model model, $threads thread(s)"
    grep -E '^(base population|persons stored|bytes per person|run time|speed|peak RSS|memory estimate)' <<<"$out"
  done
  awk -v a="${rate[1]}" -v b="${rate[2]}" -v m="$model" \
    'BEGIN { printf "== %s model: %.1f -> %.1f million person-years/s, 2-thread speed-up %.2f\n", m, a, b, b / a }'
  unset rate
done
