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
