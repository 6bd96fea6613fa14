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
