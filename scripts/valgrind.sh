#!/usr/bin/env bash
# Run every cmocka unit test (tests/test_*.c) and one `popsim run` under valgrind memcheck:
# any invalid read/write, use of uninitialised memory, or definitely/indirectly lost block
# fails (--error-exitcode). "Possibly lost" and "still reachable" blocks are not errors:
# they are the thread pools and caches libgomp and HDF5 keep for the life of the process.
# No suppressions are needed at present; if a library's internals ever need one, it goes
# in scripts/valgrind.supp with a comment naming the library, version and reason.
# usage: scripts/valgrind.sh        env: VALGRIND_BUILD_DIR (default build-valgrind)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VALGRIND_BUILD_DIR:-$root/build-valgrind}
command -v valgrind >/dev/null || { echo "valgrind: not installed (scripts/setup.sh)" >&2; exit 1; }
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPS_ENABLE_WERROR=ON \
  -DPS_ENABLE_SANITIZERS=OFF -DPS_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
logs=$(mktemp -d /tmp/popsim_valgrind_XXXXXX)
trap 'rm -rf "$logs"' EXIT
export VG_SUPP=""
[[ -f $root/scripts/valgrind.supp ]] && VG_SUPP=--suppressions=$root/scripts/valgrind.supp
export CMOCKA_MESSAGE_OUTPUT=STDOUT OMP_NUM_THREADS=2 POPSIM_CACHE_DIR="$logs/cache" logs
run_one() { # name command...
  local name=$1 t0; shift
  t0=$(date +%s)
  if valgrind -q --tool=memcheck --error-exitcode=99 --leak-check=full \
       --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \
       --track-origins=yes ${VG_SUPP:+"$VG_SUPP"} --log-file="$logs/$name.vg" \
       "$@" >"$logs/$name.out" 2>&1; then
    echo "valgrind: $name ok ($(($(date +%s) - t0)) s)"
  else
    echo "valgrind: $name FAILED" >&2
    tail -30 "$logs/$name.out" >&2; cat "$logs/$name.vg" >&2
    return 1
  fi
}
export -f run_one
status=0
# The slowest under valgrind first (minutes each), so that the two queues end together.
slow=(test_wpp_prob test_prob_variant_svc test_parity_joint test_run_unit test_wpp_accuracy
      test_prob_svc test_prob_family)
{
  for n in "${slow[@]}"; do [[ -x $build/tests/$n ]] && echo "$build/tests/$n"; done
  for t in "$build"/tests/test_*; do
    [[ -x $t && -f $t && " ${slow[*]} " != *" $(basename "$t") "* ]] && echo "$t"
  done
} | xargs -P "$(nproc)" -I{} bash -c 'run_one "$(basename "$1")" "$1"' _ {} || status=1
run_one popsim_run "$build/popsim" run -q "$root/scenarios/example_city.yaml" \
  -o "$logs/example_city.h5" || status=1
((status == 0)) && echo "valgrind: zero memcheck errors and no definite or indirect leaks"
exit $status
