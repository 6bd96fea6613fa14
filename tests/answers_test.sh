#!/usr/bin/env bash
# Answer files (issue #11, section 6; STYLE.md 2.9): run each bundled scenario and compare
# every dataset of its answer file in tests/answers/ with the new result, by h5diff with
# the relative tolerance stored beside the answer (NAME.tol). A dataset that moved by more
# than that, or that the result no longer has, fails the test with h5diff's report.
# Answers change only in a commit that says why the new numbers are right
# (tests/answers/README.md says how to remake them).
# tests/answers.cmake registers one CTest test answers_NAME per bundled scenario.
# usage: answers_test.sh --list   (the bundled scenarios with an answer file)
#        answers_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME...]   (no NAME: every one)
set -u
all=(china china_policies example_city example_city_micro example_province)
if [[ ${1:-} == --list ]]; then printf '%s\n' "${all[@]}"; exit 0; fi
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3; shift 3
names=("$@")
((${#names[@]})) || names=("${all[@]}")
tmp=$(mktemp -d /tmp/popsim_answers_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp" OMP_NUM_THREADS=2
pass=0; fail=0
for name in "${names[@]}"; do
  answer=$root/tests/answers/$name.h5
  tol=$(cat "$root/tests/answers/$name.tol")
  if ! "$exe" run -q "$root/scenarios/$name.yaml" -o "$tmp/$name.h5" >"$tmp/run.log" 2>&1; then
    fail=$((fail + 1)); echo "FAIL $name: popsim run failed"; sed 's/^/    /' "$tmp/run.log"; continue
  fi
  n=0; bad=0
  while read -r path; do
    n=$((n + 1))
    if ! h5diff -p "$tol" --exclude-attribute "$path" "$tmp/$name.h5" "$answer" "$path" "$path" \
         >"$tmp/diff" 2>&1; then
      bad=$((bad + 1))
      ((bad <= 5)) && { echo "FAIL $name $path (relative tolerance $tol):"; head -8 "$tmp/diff" | sed 's/^/    /'; }
    fi
  done < <(h5ls -r "$answer" | awk '$2 == "Dataset" {print $1}')
  if ((n == 0)); then
    fail=$((fail + 1)); echo "FAIL $name: no datasets in $answer"
  elif ((bad)); then
    fail=$((fail + 1)); echo "FAIL $name: $bad of $n datasets differ"
  else
    pass=$((pass + 1)); echo "ok $name: $n datasets within relative $tol"
  fi
done
echo "answers: $pass passed, $fail failed"
[[ $fail -eq 0 ]]
