#!/usr/bin/env bash
# Remake the answer files from the bundled scenarios with the popsim given. Only for a
# commit whose message says why the new numbers are right (tests/answers/README.md).
# usage: tests/answers/make.sh POPSIM_EXE [NAME...]
set -euo pipefail
exe=$(realpath "$1"); shift
here=$(cd "$(dirname "$0")" && pwd); root=$(cd "$here/../.." && pwd)
names=("$@")
((${#names[@]})) || names=(china china_policies example_city example_city_micro example_province)
tmp=$(mktemp -d /tmp/popsim_answers_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" OMP_NUM_THREADS=2
for name in "${names[@]}"; do
  "$exe" run -q "$root/scenarios/$name.yaml" -o "$tmp/$name.h5"
  /usr/bin/python3 "$here/select.py" "$tmp/$name.h5" "$here/$name.h5"
  [[ -f $here/$name.tol ]] || echo 1e-10 >"$here/$name.tol"
  echo "answers: $name.h5 ($(stat -c %s "$here/$name.h5") bytes, relative tolerance $(cat "$here/$name.tol"))"
done
