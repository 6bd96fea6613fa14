#!/usr/bin/env bash
# Speed of the ensemble step (issue #18, target 2; not a test): trajectory-years per second
# of ps_ens_step on 1 and 2 threads for one region (China, UN WPP 2024 rates, 2025-2100),
# with survivorship and ASFR per trajectory and with all rates shared, against the existing
# ps_proj_step one trajectory at a time and a straightforward reference loop, all measured
# in one interleaved run (best round of each). Machines are shared and noisy: compare
# ratios within one run.
# usage: scripts/bench_ensemble.sh
# env:   TRAJECTORIES (1000), ROUNDS (7), BUILD_DIR (default build/), POPSIM_DATA_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
wpp=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_ensemble >/dev/null
echo "== ensemble step (bench_ensemble, China, $(nproc) cores)"
"$build/bench_ensemble" "$wpp" China "${TRAJECTORIES:-1000}" 1 "${ROUNDS:-7}"
