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
