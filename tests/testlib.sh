# Shared by the CLI test scripts (source it): a private temporary folder, removed on exit
# and made the current folder,
# the WPP and cache environment, and the checks. Each check counts as passed or failed;
# `finish NAME` prints "NAME: N passed, M failed" and sets the exit status.
# usage: source testlib.sh TAG [WPP_DIR]
tmp=$(mktemp -d "/tmp/popsim_${1}_XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache"
[[ -n ${2:-} ]] && export POPSIM_DATA_DIR="$2"
pass=0; fail=0
# expect NAME COMMAND...: the command succeeds; its output is kept in $tmp/out.
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -8; fi; }
# status_is CODE COMMAND...: the command exits with CODE.
status_is() { local want=$1; shift; "$@"; [[ $? -eq $want ]]; }
finish() { echo "$1: $pass passed, $fail failed"; [[ $fail -eq 0 ]]; }
cd "$tmp" || exit 1
# mpi_env: the environment of the MPI tests (mpi_test.sh, mpi_prob_test.sh), or a failure if
# mpirun is missing. Open MPI as root, oversubscribed on 2 cores, shared memory and loopback
# only (no network interfaces are needed on one node). Under scripts/sanitize.sh (ASAN_OPTIONS
# set): Open MPI's components, loaded with dlopen and closed at MPI_Finalize, keep
# allocations LeakSanitizer reports as leaks at exit, with stacks in modules already unloaded
# (nothing to suppress by name). So MPI-launched processes run without the exit-time leak
# check; every other ASan and UBSan check stays on, and the code they share with serial runs
# is leak-checked by the other tests.
mpi_env() {
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
  export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
  if [[ -n ${ASAN_OPTIONS:-} ]]; then export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0"; fi
  command -v mpirun >/dev/null || { echo "FAIL mpirun not found: run scripts/setup.sh"; exit 1; }
}
# ranks_attr FILE: the root attribute mpi_ranks of a result file.
ranks_attr() { h5dump -a /mpi_ranks "$1" | awk '/\(0\)/ {print $2}'; }
# same_with_threads POPSIM SCENARIO GROUP: `popsim run SCENARIO` on 1 and on 2 OpenMP threads
# (into $tmp/a.h5 and $tmp/b.h5) writes the same GROUP (h5diff); a failure counts in $fail.
same_with_threads() {
  local popsim=$1 scn=$2 grp=$3
  OMP_NUM_THREADS=1 "$popsim" run -q "$scn" -o "$tmp/a.h5" ||
    { echo "FAIL run 1 thread"; fail=$((fail + 1)); }
  OMP_NUM_THREADS=2 "$popsim" run -q "$scn" -o "$tmp/b.h5" ||
    { echo "FAIL run 2 threads"; fail=$((fail + 1)); }
  h5diff "$tmp/a.h5" "$tmp/b.h5" "$grp" "$grp" >"$tmp/diff" 2>&1 ||
    { echo "FAIL 1 and 2 threads differ: $(head -5 "$tmp/diff")"; fail=$((fail + 1)); }
}
# run_refused POPSIM SCENARIO PATTERN NAME: `popsim run SCENARIO` exits 1 with a message
# matching PATTERN (grep) and leaves no file; a failure counts in $fail.
run_refused() {
  local popsim=$1 scn=$2 pattern=$3 name=$4 rc
  "$popsim" run -q "$scn" -o "$tmp/c.h5" 2>"$tmp/err"
  rc=$?
  [ $rc -eq 1 ] && grep -q "$pattern" "$tmp/err" && [ ! -e "$tmp/c.h5" ] ||
    { echo "FAIL $name: $rc $(cat "$tmp/err")"; fail=$((fail + 1)); }
}
# run_or_stop POPSIM SCENARIO FILE: `popsim run -q SCENARIO -o FILE`; if it fails, "FAIL run"
# and exit 1 (the checks that follow read FILE).
run_or_stop() { "$1" run -q "$2" -o "$3" || { echo "FAIL run"; exit 1; }; }
