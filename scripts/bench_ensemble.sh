#!/usr/bin/env bash
# Speed of the ensemble step (issue #18, target 2; not a test): trajectory-years per second
# of ps_ens_step on 1 and 2 threads for one region (China, UN WPP 2024 rates, 2025-2100),
# with survivorship and ASFR per trajectory and with all rates shared, against the existing
# ps_proj_step one trajectory at a time and a straightforward reference loop, all measured
# in one interleaved run (best round of each). Machines are shared and noisy: compare
# ratios within one run.
# usage: scripts/bench_ensemble.sh
# Whole-horizon figures (ps_ens_advance_fn against a trajectory-by-trajectory reference loop,
# rates made inside the run) are issue #18's target; the last two columns are per CPU second.
# env:   TRAJECTORIES (1000), ROUNDS (7), BUILD_DIR (default build/), POPSIM_DATA_DIR,
#        BATCH, TILE (0 = defaults), BENCH_METHODS, BENCH_HUGE (see bench/bench_ensemble.c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
wpp=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target bench_ensemble >/dev/null
echo "== ensemble step (bench_ensemble, China, $(nproc) cores)"
"$build/bench_ensemble" "$wpp" China "${TRAJECTORIES:-1000}" 1 "${ROUNDS:-7}" "${BATCH:-0}" \
    "${TILE:-0}"
