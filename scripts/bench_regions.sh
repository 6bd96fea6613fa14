#!/usr/bin/env bash
# Speed and memory of the multiregional cohort engine (issue #13, section 5; not a test):
# 100 regions with internal migration between every pair, region-years per second on the
# threads OpenMP is given (default 2) and the peak resident memory; then 200 and 400 regions,
# to show that memory grows with regions x ages (the result), not regions^2 x ages.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
[[ -x $build/bench_regions ]] || BUILD_DIR=$build "$root/scripts/build.sh"
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-2}
# Threads sleep instead of spinning at the end of each step: on a machine shared with other
# work, spinning threads steal the cores the step needs (about 10x slower under load).
export OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-passive}
for n in ${REGIONS:-100 200 400}; do
  echo "== bench_regions $n regions, OMP_NUM_THREADS=$OMP_NUM_THREADS"
  "$build/bench_regions" "$n" 50 "${REPEATS:-10}"
done
