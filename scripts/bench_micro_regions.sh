#!/usr/bin/env bash
# Speed of the microsimulation with regions (issue #13, sec. 2; not a test): the three-region
# test scenario (tests/data/regions/micro_three_regions.yaml, Example City's inputs in each
# region, 6.3 million persons at scale 1) run by the CLI (a) without internal migration and
# registration, (b) with internal migration only, (c) with registration only, (d) with both.
# Prints simulated person-years per second of CPU time (user + system, all threads: the
# machines are shared, so elapsed time says little) and of elapsed time, best of REPEATS;
# reading the inputs, the cohort projection behind the simulation and writing the file are
# included.
# usage: scripts/bench_micro_regions.sh
# env:   SCALE (default 1), YEARS (10), REPEATS (3), THREADS (2), BUILD_DIR (default build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scale=${SCALE:-1}
years=${YEARS:-10}
repeats=${REPEATS:-3}
threads=${THREADS:-2}
build=${BUILD_DIR:-$root/build}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target popsim >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
src="$root/tests/data/regions"
cp "$src/od3.csv" "$work/"
sed -e "s#\.\./\.\./\.\./data/example#$root/data/example#" -e "s/^  scale: .*/  scale: $scale/" \
    -e 's/^  replicates: .*/  replicates: 1/' -e "s/^end: .*/end: $((2025 + years))/" \
    "$src/micro_three_regions.yaml" >"$work/full.yaml"
grep -v -e 'file: od3' -e '^internal_migration' -e '^registration' -e 'registered_share' \
    -e 'conversion_rate' "$work/full.yaml" >"$work/plain.yaml"
grep -v -e '^registration' -e 'registered_share' -e 'conversion_rate' "$work/full.yaml" \
    >"$work/flows.yaml"
grep -v -e 'file: od3' -e '^internal_migration' "$work/full.yaml" >"$work/status.yaml"
printf '%-8s %14s %16s %16s\n' variant person-years 'M p-y/s (CPU)' 'M p-y/s (wall)'
for v in plain flows status full; do
  best_cpu=0 best_wall=0 py=0
  for _ in $(seq "$repeats"); do
    t=$( { OMP_NUM_THREADS=$threads /usr/bin/time -f '%e %U %S' "$build/popsim" run -q \
           "$work/$v.yaml" -o "$work/$v.h5" >/dev/null; } 2>&1 | tail -1)
    py=$(/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1]); g=f['scenarios']; \
p=g[list(g)[0]]['population'][()]; print(p[:-1].sum() / $scale)" "$work/$v.h5")
    read -r wall user sys <<<"$t"
    cpu=$(awk -v p="$py" -v u="$user" -v s="$sys" 'BEGIN { printf "%.2f", p / (u + s) / 1e6 }')
    wl=$(awk -v p="$py" -v w="$wall" 'BEGIN { printf "%.2f", p / w / 1e6 }')
    best_cpu=$(awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { print (a > b ? a : b) }')
    best_wall=$(awk -v a="$wl" -v b="$best_wall" 'BEGIN { print (a > b ? a : b) }')
  done
  printf '%-8s %14.0f %16s %16s\n' "$v" "$py" "$best_cpu" "$best_wall"
done
