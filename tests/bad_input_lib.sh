# Shared by the scripts that feed popsim bad input through the command line (beliefs_test.sh,
# hostile_test.sh): source it as   source "$(dirname "$0")/bad_input_lib.sh" TAG
# It makes a private temporary folder $tmp (removed on exit) the current folder, with its own
# WPP cache and a fixed SOURCE_DATE_EPOCH, and defines the checks; each counts in $pass/$fail.
tmp=$(mktemp -d "/tmp/popsim_${1}_XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" SOURCE_DATE_EPOCH=1700000000
cd "$tmp" || exit 1
pass=0; fail=0
# check NAME STATUS REGEX COMMAND...: the command exits with STATUS and its output (kept in
# $tmp/out) matches REGEX (when not empty); a refusal (STATUS not 0) prints exactly one
# `error:` line and at most 3 lines in all.
check() {
  local name=$1 want=$2 re=$3; shift 3
  "$@" >"$tmp/out" 2>&1; local got=$?
  if [[ $got -ne $want ]]; then
    fail=$((fail + 1)); echo "FAIL $name: exit $got, expected $want"; sed 's/^/    /' "$tmp/out" | head -5
  elif [[ -n $re ]] && ! grep -Eq -- "$re" "$tmp/out"; then
    fail=$((fail + 1)); echo "FAIL $name: output lacks /$re/"; sed 's/^/    /' "$tmp/out" | head -5
  elif [[ $want -ne 0 ]] && [[ $(grep -c 'error:' "$tmp/out") -ne 1 || $(wc -l <"$tmp/out") -gt 3 ]]; then
    fail=$((fail + 1)); echo "FAIL $name: expected one error line"; sed 's/^/    /' "$tmp/out" | head -5
  else pass=$((pass + 1)); fi
}
# expect NAME COMMAND...: the command succeeds (its output is left where it goes).
expect() { local name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi; }
