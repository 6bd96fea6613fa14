#!/usr/bin/env bash
# Reproducibility (issues #5, #7): the same scenario, seed and binary give bit-identical HDF5
# datasets for OMP_NUM_THREADS = 1, 2 and 4 (h5diff with no tolerance over every object and
# its attributes; only the root group's provenance attributes are left out, because
# `threads` and `created` legitimately differ), and each file records enough provenance
# to re-run it: popsim_version, git_commit, scenario_file, scenario_sha256 (checked against
# sha256sum), command_line, seed and threads.
# One group of checks per scenario (example_city, which also re-runs its recorded command
# line, china, example_city_micro), each in its own temporary folder; tests/robust.cmake
# registers one CTest test robust_reproducibility_NAME per name.
# usage: repro_test.sh --list
#        repro_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(example_city china example_city_micro)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
tmp=$(mktemp -d /tmp/popsim_repro_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp"
pass=0; fail=0
expect() { local name=$1; shift; if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name"; fi; }
attr() { h5dump -a "/$2" "$1" 2>/dev/null | sed -n 's/^ *(0): //p' | tr -d '"'; }

version=$("$exe" --version)
repro_of() { # SCENARIO: 1, 2 and 4 threads give the same datasets; provenance
  local scn=$1 n f cl
  for n in 1 2 4; do
    OMP_NUM_THREADS=$n "$exe" run -q "$root/scenarios/$scn.yaml" -o "$tmp/$scn.$n.h5"
    expect "$scn threads=$n runs" test $? -eq 0
    expect "$scn threads=$n records threads" test "$(attr "$tmp/$scn.$n.h5" threads)" = "$n"
  done
  for n in 2 4; do
    if h5diff --exclude-attribute / "$tmp/$scn.1.h5" "$tmp/$scn.$n.h5" >"$tmp/diff" 2>&1; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL $scn: 1 and $n threads differ"; head -20 "$tmp/diff"
    fi
  done
  f=$tmp/$scn.1.h5
  expect "$scn scenario_sha256" test "$(attr "$f" scenario_sha256)" = "$(sha256sum <"$root/scenarios/$scn.yaml" | cut -d' ' -f1)"
  expect "$scn scenario_file" test "$(attr "$f" scenario_file)" = "$root/scenarios/$scn.yaml"
  expect "$scn popsim_version" test "popsim $(attr "$f" popsim_version) (commit $(attr "$f" git_commit))" = "$version"
  expect "$scn git_commit" test -n "$(attr "$f" git_commit)"
  expect "$scn seed" test -n "$(attr "$f" seed)"
  # getopt_long permutes argv, so options may come first; the words are what matter.
  cl=$(attr "$f" command_line)
  expect "$scn command_line" test "$(tr ' ' '\n' <<<"$cl" | sort | tr '\n' ' ')" = \
    "$(printf '%s\n' popsim run -q "$root/scenarios/$scn.yaml" -o "$f" | sort | tr '\n' ' ')"
}

t_example_city() {
  repro_of example_city
  # The recorded command line re-runs the result: same datasets again.
  cmd=$(attr "$tmp/example_city.1.h5" command_line)
  (cd "$tmp" && "$exe" ${cmd#popsim } >/dev/null 2>&1)
  expect "re-run from provenance" h5diff --exclude-attribute / "$tmp/example_city.2.h5" "$tmp/example_city.1.h5"
}

t_china() { repro_of china; }
t_example_city_micro() { repro_of example_city_micro; }

"t_$only"
echo "repro $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
