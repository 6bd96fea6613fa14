#!/usr/bin/env bash
# Speed of one microsimulation whose persons are split across MPI ranks (issue #15, sec. 1
# and 4; not a test): Example City's inputs in REGIONS regions (5: 10.6 million persons) at
# micro.scale 1, one replicate, YEARS years (10), with care need, childcare and kin, run
# serially, with `mpirun -np 1` and with `mpirun -np 2`, one OpenMP thread per rank. Prints
# the best wall time of REPEATS, the speed-up np = 2 against np = 1, and from rank 0's log
# the CPU of the largest share of a rank, the CPU it spent outside the collectives (Open MPI
# waits by polling, so on a loaded machine waiting costs CPU), the bytes a rank sent and
# the peak resident memory of each rank; the np = 2 file must equal the serial one.
# Machines are shared: the load average is printed, and the CPU speed-up (np = 1 CPU over
# the largest CPU of a rank outside the collectives) is what the split itself gains; the
# machine ceiling (two copies of the serial run at once, no MPI) is the most any 2-rank
# speed-up can reach on this machine.
# usage: scripts/bench_micro_mpi.sh
# env:   REGIONS (5), YEARS (10), REPEATS (3), BUILD_DIR (build/)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
regions=${REGIONS:-5}
years=${YEARS:-10}
repeats=${REPEATS:-3}
build=${BUILD_DIR:-$root/build}
source "$root/scripts/lib/mpi_bench.sh" micro_mpi

{ sed -e 's/^  scale: 10 .*/  scale: 1/' -e 's/^  replicates: 4/  replicates: 1/' \
      -e 's/^  sample: 1000 .*/  sample: 0/' -e "s/^end: .*/end: $((2025 + years))/" \
      -e '/^region: /d' -e "s#\.\./data#$root/data#" "$root/scenarios/example_city_micro.yaml"
  echo "regions:"
  for k in $(seq "$regions"); do echo "  - name: R$k"; done; } >"$tmp/split.yaml"

run() { # LABEL NP(0 = serial): best of $repeats; prints "wall cpu work bytes rss_kb..."
  local label=$1 np=$2 best="" t0 t1 w log
  for _ in $(seq "$repeats"); do
    log="$tmp/$label.log"
    t0=$(date +%s.%N)
    if [[ $np -eq 0 ]]; then
      /usr/bin/time -f "rank_rss_kb %M" "$exe" run "$tmp/split.yaml" -o "$tmp/$label.h5" >"$log" 2>&1
    else
      mpirun --oversubscribe -np "$np" /usr/bin/time -f "rank_rss_kb %M" "$exe" run \
        "$tmp/split.yaml" -o "$tmp/$label.h5" >"$log" 2>&1
    fi
    t1=$(date +%s.%N)
    w=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    if [[ -z $best ]] || awk -v a="$w" -v b="${best%% *}" 'BEGIN { exit !(a < b) }'; then
      best="$w $(awk '/largest share of a rank/ { c = $(NF - 3); sub(/\(/, "", c); print c }' "$log")"
      best="$best $(awk '/split persons:/ { for (i = 1; i <= NF; ++i) if ($i == "was") v = v " " $(i + 1) } END { print v }' "$log")"
      best="$best $(awk '/rank_rss_kb/ { printf "%s ", $2 }' "$log")"
      cp "$log" "$tmp/$label.best.log"
    fi
  done
  echo "$best"
}

echo "== one microsimulation split across ranks: Example City x $regions regions, scale 1," \
  "$years years, 1 thread per rank, best of $repeats; $(getconf _NPROCESSORS_ONLN) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
persons=$( (POPSIM_MEMORY_LIMIT_BYTES=1 "$exe" run -q "$tmp/split.yaml" -o "$tmp/none.h5" 2>&1 || true) |
  sed -n 's/.*up to \([0-9]*\) simulated persons.*/\1/p')
echo "persons stored (bound): $persons"
read -r w0 rss0 <<<"$(run serial 0)"
echo "serial:  wall $w0 s, peak RSS $rss0 kB"
read -r w1 c1 rss1 <<<"$(run np1 1)"
echo "np = 1:  wall $w1 s, CPU of the unit $c1 s, peak RSS ${rss1} kB"
read -r w2 c2 work2 bytes2 rss2 rss2b <<<"$(run np2 2)"
echo "np = 2:  wall $w2 s, largest CPU of a rank $c2 s, of which outside the collectives" \
  "$work2 s; a rank sent at most $bytes2 bytes; peak RSS per rank $rss2 kB, $rss2b kB"
awk -v a="$w1" -v b="$w2" -v c="$c1" -v d="$work2" -v e="$c2" 'BEGIN {
  printf "speed-up np = 2 / np = 1: wall %.2f, CPU %.2f (with the polling in the collectives %.2f)\n",
    a / b, c / d, c / e }'
read -r ceil alone pair note < <(ceiling "$exe" run -q "$tmp/split.yaml" -o %OUT%)
echo "machine ceiling: two serial runs at once, no MPI: $ceil ($alone s alone, $pair s the pair)${note:+ $note}"
if h5diff --exclude-attribute / "$tmp/serial.h5" "$tmp/np2.h5" >/dev/null; then
  echo "np = 2 file identical to the serial one: yes"
else
  echo "np = 2 file identical to the serial one: NO"; exit 1
fi
