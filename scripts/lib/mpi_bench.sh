# shellcheck shell=bash disable=SC2034,SC2154
# Shared by the MPI benchmarks (bench_hpc.sh, bench_micro_mpi.sh): source it after setting
# root and build, as   source "$root/scripts/lib/mpi_bench.sh" TAG
# Builds popsim with MPI (Release) in $build and sets exe; makes $tmp
# (/tmp/popsim_bench_TAG_XXXXXX), removed on exit; one OpenMP thread per rank, Open MPI as
# root over shared memory and loopback only (one node).
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release -DPS_ENABLE_MPI=ON >/dev/null
cmake --build "$build" -j2 --target popsim >/dev/null
exe=$build/popsim
tmp=$(mktemp -d "/tmp/popsim_bench_${1}_XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none

# ceiling CMD...: what this machine itself allows a 2-rank speed-up of this work, with no MPI
# at all: the serial run alone and two copies of it at once (each writing its own file:
# "%OUT%" in CMD is replaced), best of $repeats each; prints "RATIO ALONE PAIR [NOTE]", RATIO =
# 2 x alone / (the pair's wall time). Two independent copies slow each other down where the
# cores share caches, memory bandwidth or a host (a VM's two vCPUs), and no split across
# ranks can beat that.
ceiling() {
  local alone=1e9 pair=1e9 t0 t1 t
  for _ in $(seq "${repeats:-3}"); do
    t0=$(date +%s.%N); "${@//%OUT%/$tmp/ceiling1.h5}" >/dev/null 2>&1; t1=$(date +%s.%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    alone=$(awk -v a="$t" -v b="$alone" 'BEGIN { print (a < b ? a : b) }')
    t0=$(date +%s.%N)
    "${@//%OUT%/$tmp/ceiling1.h5}" >/dev/null 2>&1 &
    "${@//%OUT%/$tmp/ceiling2.h5}" >/dev/null 2>&1
    wait
    t1=$(date +%s.%N)
    t=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
    pair=$(awk -v a="$t" -v b="$pair" 'BEGIN { print (a < b ? a : b) }')
  done
  awk -v a="$alone" -v p="$pair" 'BEGIN { printf "%.2f %.3f %.3f%s\n", 2 * a / p, a, p,
    a < 1 ? " (under 1 s a run: noise, not a ceiling)" : "" }'
}
