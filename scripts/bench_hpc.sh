#!/usr/bin/env bash
# Speed figures of MPI (issue #15, section 4; not a test): `mpirun -np 2` against `-np 1`,
# one OpenMP thread per rank, on (a) a microsimulation with many replicates (Example City,
# REPLICATES replicates at micro.scale SCALE: one unit per replicate) and (b) the policy
# family china_policies (5 units, when the UN WPP folder is present), (c) China x 1000
# probabilistic trajectories (8 units) and (d) a 1,000-point sweep of china_policies. For each: the serial
# run, np = 1 and np = 2 (best wall time of REPEATS), the speed-up, and from rank 0's log the
# time of its own share, the wait for the other rank, the gather, the finish (replicate means,
# services) and the write, as shares of the np = 2 run; the cost and bytes per unit (the part
# files of --task hold exactly the units' bytes); and a projection to 64 nodes.
# A shared machine's load makes wall times noisy: rank 0 also logs the largest share of any
# rank in CPU seconds, and the speed-up of the units is given from those too (the work a
# rank does, whatever waiting for a core cost it). The load average is printed.
# usage: scripts/bench_hpc.sh
# env:   REPLICATES (default 16), SCALE (10), REPEATS (3), NODES (64), LINK_GBS (network
#        bandwidth into rank 0 for the projection, GB/s; default 5), BUILD_DIR (build/),
#        POPSIM_DATA_DIR, ONLY (prob or sweep: that bench alone), TRAJ (1000), POINTS (1000)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
replicates=${REPLICATES:-16}
scale=${SCALE:-10}
repeats=${REPEATS:-3}
nodes=${NODES:-64}
link=${LINK_GBS:-5}
build=${BUILD_DIR:-$root/build}
"$root/scripts/setup.sh"
source "$root/scripts/lib/mpi_bench.sh" hpc
export POPSIM_DATA_DIR=${POPSIM_DATA_DIR:-$root/../shared/data/wpp2024}
export POPSIM_CACHE_DIR=$tmp/cache

mkdir "$tmp/s"; ln -s "$root/data" "$tmp/data"
sed -e "s/^  scale: 10 .*/  scale: $scale/" -e "s/^  replicates: 4/  replicates: $replicates/" \
    -e 's/^  sample: 1000 .*/  sample: 0/' \
    "$root/scenarios/example_city_micro.yaml" >"$tmp/s/micro.yaml"

now() { date +%s.%N; }
# best WHAT ARGS... -> "wall log" of the fastest of $repeats runs; the log in $tmp/best.log
best() {
  local best_t=1e9 t0 t1 t
  for _ in $(seq "$repeats"); do
    t0=$(now); "$@" >"$tmp/run.log" 2>&1; t1=$(now)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if awk -v a="$t" -v b="$best_t" 'BEGIN { exit !(a < b) }'; then
      best_t=$t; cp "$tmp/run.log" "$tmp/best.log"
    fi
  done
  echo "$best_t"
}
field() { sed -n "s/.*$1 \([0-9.]*\) s.*/\1/p" "$tmp/best.log" | head -1; }
share() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f %%", 100 * a / b }'; }

cpu_share() { sed -n 's/.*largest share of a rank took [0-9.]* s (\([0-9.]*\) s of CPU).*/\1/p' "$tmp/best.log"; }
mpi() { mpirun --oversubscribe --bind-to none "$@"; }

bench() { # NAME SCENARIO WRITE_SCALES (1: the file grows with the units, a family; 0: means)
  local name=$1 scn=$2 scales=$3 t_serial t1 t2 units bytes per_unit per_bytes cpu1 cpu2
  units=$("$exe" run -q "${extra[@]}" --estimate "$scn" | sed -n 's/^units=//p')
  t_serial=$(best "$exe" run -q "${extra[@]}" "$scn" -o "$tmp/serial.h5")
  t1=$(best mpi -np 1 "$exe" run "${extra[@]}" "$scn" -o "$tmp/np1.h5")
  local c1; c1=$(sed -n 's/.*computed in \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  cpu1=$(cpu_share)
  t2=$(best mpi -np 2 "$exe" run "${extra[@]}" "$scn" -o "$tmp/np2.h5")
  cpu2=$(cpu_share)
  local c2 w2 g2 f2 wr2
  c2=$(sed -n 's/.*computed in \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  w2=$(sed -n 's/.*waited \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  g2=$(sed -n 's/.*gathered in \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  f2=$(sed -n 's/.*finished in \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  wr2=$(sed -n 's/.*wrote .* in \([0-9.]*\) s.*/\1/p' "$tmp/best.log")
  h5diff --exclude-attribute / "$tmp/serial.h5" "$tmp/np2.h5" >/dev/null \
    || { echo "$name: np = 2 differs from the serial run" >&2; exit 1; }
  # Bytes per unit: one part file holding every unit, minus its small header.
  "$exe" run -q "${extra[@]}" "$scn" --task 0 --tasks 1 -o "$tmp/all.pspart"
  bytes=$(stat -c %s "$tmp/all.pspart")
  per_unit=$(awk -v c="$cpu1" -v u="$units" 'BEGIN { printf "%.4f", c / u }')
  per_bytes=$((bytes / units))
  echo "== $name: $units units, one thread per rank"
  printf '  serial popsim run           %8.3f s\n' "$t_serial"
  printf '  mpirun -np 1                %8.3f s (units %.3f s)\n' "$t1" "$c1"
  printf '  mpirun -np 2                %8.3f s (rank 0 units %.3f s, wait %.3f s)\n' "$t2" "$c2" "$w2"
  printf '  speed-up np2/np1 (wall)     %8.2f\n' "$(awk -v a="$t1" -v b="$t2" 'BEGIN { print a / b }')"
  printf '  speed-up np2/np1 (units)    %8.2f  wall of the units (own share + wait)\n' "$(awk -v a="$c1" -v b="$c2" -v w="$w2" 'BEGIN { print a / (b + w) }')"
  printf '  speed-up np2/np1 (CPU)      %8.2f  CPU of all units / CPU of the largest share (%.3f / %.3f s)\n' \
         "$(awk -v a="$cpu1" -v b="$cpu2" 'BEGIN { print a / b }')" "$cpu1" "$cpu2"
  local ceil alone pair note
  read -r ceil alone pair note < <(ceiling "$exe" run -q "${extra[@]}" "$scn" -o %OUT%)
  printf '  machine ceiling             %8.2f  two serial runs at once, no MPI (%.3f s alone, %.3f s the pair)%s\n' \
         "$ceil" "$alone" "$pair" "${note:+ $note}"
  printf '  gather                      %8.3f s  %s of the np = 2 run\n' "$g2" "$(share "$g2" "$t2")"
  printf '  finish (means, services)    %8.3f s  %s\n' "$f2" "$(share "$f2" "$t2")"
  printf '  write                       %8.3f s  %s\n' "$wr2" "$(share "$wr2" "$t2")"
  printf '  gather + finish + write     %8.3f s  %s\n' "$(awk -v a="$g2" -v b="$f2" -v c="$wr2" 'BEGIN { print a + b + c }')" \
         "$(share "$(awk -v a="$g2" -v b="$f2" -v c="$wr2" 'BEGIN { print a + b + c }')" "$t2")"
  printf '  cost per unit               %8.4f s of CPU (one thread)\n' "$per_unit"
  printf '  bytes per unit              %8d (%.0f KiB)\n' "$per_bytes" "$(awk -v b="$per_bytes" 'BEGIN { print b / 1024 }')"
  # 64 nodes, one rank per core of CORES cores: compute ceil(U / ranks) units; rank 0
  # receives every other unit over one link; finish and write as measured.
  local cores=${CORES:-32}
  for u in "$units" 1000 10000; do
    awk -v u="$u" -v n="$nodes" -v k="$cores" -v c="$per_unit" -v b="$per_bytes" -v l="$link" \
        -v f="$f2" -v w="$wr2" -v units="$units" -v s="$scales" 'BEGIN {
      r = n * k; per = int((u + r - 1) / r); comp = per * c
      gather = (u - per) * b / (l * 1e9); fin = f * u / units; wr = s ? w * u / units : w
      printf "  projection %d nodes x %d cores, %6d units: compute %.2f s, gather %.2f s (%.1f MB), finish+write %.2f s, vs serial %.0f s\n",
             n, k, u, comp, gather, (u - per) * b / 1e6, fin + wr, u * c }'
  done
}

# Probabilistic trajectories (issue #14 under MPI): wall and CPU seconds (user + sys of
# every process, /usr/bin/time) of the best of $repeats; rank 0's gather and write from its
# log. ARGS... are `popsim run` arguments.
tcpu() { # ARGS... -> "wall cpu" of one run; its log in $tmp/run.log
  /usr/bin/time -f '%e %U %S' -o "$tmp/time" "$@" >"$tmp/run.log" 2>&1
  awk '{ printf "%s %.3f\n", $1, $2 + $3 }' "$tmp/time"
}
bench_prob() { # NAME ARGS...
  local name=$1; shift
  local w1=1e9 c1=0 w2=1e9 c2=0 g=0 wr=0 w c u1=0 u2=0 q=0 gq=0
  "$exe" run -q "$@" -o "$tmp/prob_serial.h5"
  for _ in $(seq "$repeats"); do
    read -r w c < <(tcpu mpirun --oversubscribe --bind-to none -np 1 "$exe" run "$@" -o "$tmp/prob1.h5")
    cp "$tmp/run.log" "$tmp/best.log"
    if awk -v a="$w" -v b="$w1" 'BEGIN { exit !(a < b) }'; then w1=$w; c1=$c; u1=$(cpu_share); fi
    read -r w c < <(tcpu mpirun --oversubscribe --bind-to none -np 2 "$exe" run "$@" -o "$tmp/prob2.h5")
    if awk -v a="$w" -v b="$w2" 'BEGIN { exit !(a < b) }'; then
      w2=$w; c2=$c
      g=$(sed -n 's/.*received [0-9]* bytes of trajectories .* in \([0-9.]*\) s.*/\1/p;
                 s/.*exchanged [0-9]* bytes of trajectory rows .* in \([0-9.]*\) s.*/\1/p' "$tmp/run.log")
      q=$(sed -n 's/.*rank 0 summarised .* in \([0-9.]*\) s.*/\1/p' "$tmp/run.log")
      gq=$(sed -n 's/.*rank 0 gathered and summarised the trajectories in \([0-9.]*\) s.*/\1/p' "$tmp/run.log")
      wr=$(sed -n 's/.*rank 0 wrote the file in \([0-9.]*\) s.*/\1/p' "$tmp/run.log")
      cp "$tmp/run.log" "$tmp/best.log"; u2=$(cpu_share)
    fi
  done
  h5diff --exclude-attribute / "$tmp/prob_serial.h5" "$tmp/prob2.h5" >/dev/null \
    || { echo "$name: np = 2 differs from the serial run" >&2; exit 1; }
  echo "== $name, one thread per rank"
  printf '  mpirun -np 1                %8.3f s wall, %8.3f s CPU\n' "$w1" "$c1"
  printf '  mpirun -np 2                %8.3f s wall, %8.3f s CPU (both ranks; MPI waits spin)\n' "$w2" "$c2"
  printf '  speed-up np2/np1 (wall)     %8.2f\n' "$(awk -v a="$w1" -v b="$w2" 'BEGIN { print a / b }')"
  printf '  speed-up np2/np1 (CPU)      %8.2f  CPU of all units / CPU of the largest share (%.3f / %.3f s)\n' \
         "$(awk -v a="$u1" -v b="$u2" 'BEGIN { print a / b }')" "$u1" "$u2"
  local ceil alone pair note
  read -r ceil alone pair note < <(ceiling "$exe" run -q "$@" -o %OUT%)
  printf '  machine ceiling             %8.2f  two serial runs at once, no MPI (%.3f s alone, %.3f s the pair)%s\n' \
         "$ceil" "$alone" "$pair" "${note:+ $note}"
  printf '  gather (exchange)           %8.3f s  %s of the np = 2 run\n' "${g:-0}" "$(share "${g:-0}" "$w2")"
  printf '  quantiles on rank 0         %8.3f s  %s\n' "${q:-0}" "$(share "${q:-0}" "$w2")"
  printf '  rank 0: gather to summaries %8.3f s  %s (from the end of the largest share)\n' \
         "${gq:-0}" "$(share "${gq:-0}" "$w2")"
  printf '  write                       %8.3f s  %s\n' "${wr:-0}" "$(share "${wr:-0}" "$w2")"
}

# A 1,000-point policy sweep of china_policies (as scripts/bench_sweep.sh makes it).
sweep_scenario() { # POINTS -> $tmp/s/sweep.yaml
  cat "$root/scenarios/china_policies.yaml" - >"$tmp/s/sweep.yaml" <<YAML
sweep:
  base: national_subsidy_2025
  design: latin_hypercube
  points: $1
  seed: 2026
  dimensions:
    - key: policies[childcare_subsidy].amount
      range: [100, 1500]
    - key: response.cash_elasticity
      range: [0.1, 0.6]
YAML
}

extra=()
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(getconf _NPROCESSORS_ONLN) cores"
if [[ ${ONLY:-} != prob && ${ONLY:-} != sweep ]]; then
  bench "micro ($replicates replicates, scale $scale)" "$tmp/s/micro.yaml" 0
fi
if [[ -f $POPSIM_DATA_DIR/locations.csv ]]; then
  if [[ -z ${ONLY:-} ]]; then
    bench "china_policies (family)" "$root/scenarios/china_policies.yaml" 1
  fi
  if [[ -z ${ONLY:-} || ${ONLY:-} == prob ]]; then
    bench_prob "China x ${TRAJ:-1000} trajectories" --location China --trajectories "${TRAJ:-1000}"
  fi
  if [[ -z ${ONLY:-} || ${ONLY:-} == sweep ]]; then
    sweep_scenario "${POINTS:-1000}"
    extra=(--allow-large)
    bench "china_policies sweep (${POINTS:-1000} points)" "$tmp/s/sweep.yaml" 1
    extra=()
  fi
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
