#!/usr/bin/env bash
# Speed figures of the microsimulation (issue #5; not a test): person-years per second of
# (a) the minimal model (ageing, death, birth) and (b) the full model (migration, income
# classes with a low-income top-up, care need, childcare, kin), each with OMP_NUM_THREADS=1
# and 2, the 2-thread speed-up, bytes per person and peak resident memory per person.
# Synthetic inputs (bench/bench_micro.c), so no data files are needed; with the UN WPP
# folder present, also China 2025-2050 at scale 100 against the cohort engine. Machines are
# shared and noisy: each figure is the best of REPEATS runs; compare ratios within one run.
# usage: scripts/bench_micro.sh
# env:   MICRO_PERSONS (default 10000000; e.g. 1000000 for a quick run), MICRO_YEARS (25),
#        MICRO_REGIONS (1), REPEATS (3), BUILD_DIR (default build/), POPSIM_DATA_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
persons=${MICRO_PERSONS:-10000000}
years=${MICRO_YEARS:-25}
regions=${MICRO_REGIONS:-1}
repeats=${REPEATS:-3}
build=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_micro >/dev/null
bench="$build/bench_micro"

speed() { awk '/^speed/ { print $2 }'; }
best_of() { # model threads args... -> the output of the fastest of $repeats runs
  local model=$1 threads=$2 best="" best_rate=0 out rate; shift 2
  for _ in $(seq "$repeats"); do
    out=$(OMP_NUM_THREADS=$threads "$bench" "$model" "$@" 2>/dev/null)
    rate=$(speed <<<"$out")
    if awk -v a="$rate" -v b="$best_rate" 'BEGIN { exit !(a > b) }'; then
      best=$out best_rate=$rate
    fi
  done
  printf '%s\n' "$best"
}
echo "== microsimulation: $persons persons, $years years, $regions region(s), $(nproc) cores, best of $repeats"
for model in minimal full; do
  declare -A rate=()
  for threads in 1 2; do
    out=$(best_of "$model" "$threads" "$persons" "$years" "$regions")
    rate[$threads]=$(speed <<<"$out")
    echo "-- $model model, $threads thread(s)"
    grep -E '^(base population|persons stored|bytes per person|run time|speed|peak RSS|memory estimate)' <<<"$out"
  done
  awk -v a="${rate[1]}" -v b="${rate[2]}" -v m="$model" \
    'BEGIN { printf "== %s model: %.1f -> %.1f million person-years/s, 2-thread speed-up %.2f\n", m, a, b, b / a }'
  unset rate
done
wpp=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
if [[ -f $wpp/locations.csv ]]; then
  echo "== China 2025-$((2025 + years)), UN WPP 2024 inputs, scale 100, 2 threads"
  best_of wpp 2 "$wpp" China 100 "$years" |
    grep -E '^(inputs|base population|speed|peak RSS|cohort engine)'
fi
