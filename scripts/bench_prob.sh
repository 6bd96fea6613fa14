#!/usr/bin/env bash
# Speed of probabilistic projections (issue #14, sec. 4; not a test): `popsim run` end to end
# (reading the UN WPP 2024 files and intervals, the inputs, 1000 trajectories, quantiles and
# the HDF5 file) for China 2025-2100 (target < 1 s on 2 cores) and for all 236 countries and
# areas into one file (target < 60 s on 2 cores), and trajectory-years per second (one
# trajectory-year = one cohort-component step of one trajectory, to set against the
# ~1 M country-years/s of the single step in scripts/bench.sh). The parsed-WPP cache is
# warmed first, as on any second run. Machines are shared and noisy: best of ROUNDS.
# The trajectories run through ps_prob_units -> ps_ens_advance_hook (docs/model.md sec. 2.7):
# tiles of trajectories carried through all the years in cache, each year summarised in the
# tile's thread, no year stored; on a loaded machine compare the CPU lines, not wall times.
# usage: scripts/bench_prob.sh
# env:   TRAJECTORIES (1000), ROUNDS (3), THREADS (2), BUILD_DIR (default build/),
#        POPSIM_DATA_DIR
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build}
traj=${TRAJECTORIES:-1000}
rounds=${ROUNDS:-3}
threads=${THREADS:-2}
"$root/scripts/setup.sh"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target popsim >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
wpp=()
if [ -n "${POPSIM_DATA_DIR:-}" ]; then wpp=(--wpp-dir "$POPSIM_DATA_DIR"); fi

best() { # best wall time of $rounds runs of "$@", in seconds
    local b=""
    for _ in $(seq "$rounds"); do
        local t0 t1
        t0=$(date +%s.%N)
        "$@" >/dev/null 2>&1
        t1=$(date +%s.%N)
        b=$(echo "$t0 $t1 ${b:-1e9}" | awk '{d = $2 - $1; print (d < $3 ? d : $3)}')
    done
    echo "$b"
}

"$build/popsim" run "${wpp[@]}" --location China -q -o "$out/warm.h5" # cache
echo "== probabilistic projections ($(nproc) cores, $threads threads, $traj trajectories)"
t=$(best "$build/popsim" run "${wpp[@]}" --location China --trajectories "$traj" \
    --threads "$threads" -q -o "$out/china.h5")
steps=75
echo "$t" | awk -v n="$traj" -v s="$steps" '{printf "China 2025-2100: %.3f s end to end (target < 1 s), %.2f M trajectory-years/s\n", $1, n * s / $1 / 1e6}'
"$build/popsim" run "${wpp[@]}" --location all --trajectories 10 -q -o "$out/warm_all.h5"
rounds=1
t=$(best "$build/popsim" run "${wpp[@]}" --location all --trajectories "$traj" \
    --threads "$threads" -q -o "$out/all.h5")
echo "$t" | awk -v n="$traj" -v s="$steps" '{printf "all 236 countries with UN intervals: %.1f s end to end (target < 60 s), %.2f M trajectory-years/s\n", $1, 236 * n * s / $1 / 1e6}'
# CPU seconds (user + system) of one run each, and the machine's load: on a shared machine the
# wall times above include waiting for the other users' processes.
for loc in China all; do
    /usr/bin/time -f "$loc: %e s wall, %U s user + %S s system CPU" \
        "$build/popsim" run "${wpp[@]}" --location "$loc" --trajectories "$traj" \
        --threads "$threads" -q -o "$out/cpu.h5"
done
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
