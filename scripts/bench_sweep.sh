#!/usr/bin/env bash
# Policy sweeps (issue #15, sections 3-4): per-point time and peak memory of a Latin
# hypercube over the national subsidy of scenarios/china_policies.yaml, for 100 and 1,000
# points (and 10,000 with SWEEP_BIG=1), end to end (`popsim run --allow-large`, warm WPP
# cache). Not a test: compare figures within one run, the machine is shared.
#   BUILD_DIR  build tree with the popsim binary (default build)
#   POINTS     the point counts to run (default "100 1000", with SWEEP_BIG=1 also 10000)
#   MEMBER_OUTPUT  summary (default) or full: every point also written as its own group
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
popsim="$build/popsim"
[ -x "$popsim" ] || { echo "bench_sweep: no $popsim; build first (scripts/build.sh)" >&2; exit 1; }
export POPSIM_DATA_DIR=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
points=${POINTS:-100 1000}
[ "${SWEEP_BIG:-0}" = 1 ] && points="$points 10000"
work=$(mktemp -d /tmp/popsim_bench_sweep_XXXXXX)
trap 'rm -rf "$work"' EXIT

make_scenario() { # $1 points -> $work/sweep_$1.yaml
  local f="$work/sweep_$1.yaml"
  cat "$root/scenarios/china_policies.yaml" >"$f"
  cat >>"$f" <<YAML
sweep:
  base: national_subsidy_2025
  design: latin_hypercube
  points: $1
  seed: 2026
  member_output: ${MEMBER_OUTPUT:-summary}
  dimensions:
    - key: policies[childcare_subsidy].amount
      range: [100, 1500]
    - key: policies[childcare_subsidy].max_age
      range: [1, 6]
    - key: policies[childcare_subsidy].eligible_share
      range: [0.3, 1.0]
    - key: response.cash_elasticity
      range: [0.1, 0.6]
YAML
}

# Warm the parsed-WPP cache so that the figures are the sweep's.
"$popsim" run -q "$root/scenarios/china_policies.yaml" -o "$work/warm.h5"
printf '%8s %10s %12s %12s %12s\n' points wall_s ms_per_point peak_MiB file_MiB
for n in $points; do
  make_scenario "$n"
  /usr/bin/time -f '%e %M' -o "$work/time_$n" \
    "$popsim" run -q --allow-large "$work/sweep_$n.yaml" -o "$work/sweep_$n.h5"
  read -r wall kib <"$work/time_$n"
  bytes=$(stat -c %s "$work/sweep_$n.h5")
  awk -v n="$n" -v w="$wall" -v k="$kib" -v b="$bytes" \
    'BEGIN { printf "%8d %10.2f %12.2f %12.1f %12.1f\n", n, w, 1000 * w / n, k / 1024, b / 1048576 }'
  rm -f "$work/sweep_$n.h5"
done
