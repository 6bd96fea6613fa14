#!/usr/bin/env bash
# Every group of every bundled scenario's result copies with h5copy (HDF5's object copy,
# which h5py's Group.copy uses too), and the copy holds the same values and attributes. HDF5 1.10's copy
# crashed on groups whose attributes had gone to dense storage (issue #16).
# One bundled scenario per NAME, each in its own temporary folder; tests/cli.cmake registers
# one CTest test cli_h5copy_every_group_NAME per name.
# usage: h5copy_test.sh --list
#        h5copy_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every scenario)
set -u
names=(china china_policies example_city example_city_micro)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
tmp=$(mktemp -d /tmp/popsim_h5copy_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp"
pass=0; fail=0
for name in "$only"; do
  if ! "$exe" run -q "$root/scenarios/$name.yaml" -o "$tmp/$name.h5" >"$tmp/log" 2>&1; then
    fail=$((fail + 1)); echo "FAIL $name: popsim run failed"; cat "$tmp/log"; continue
  fi
  while read -r group; do
    rm -f "$tmp/copy.h5"
    if h5copy -i "$tmp/$name.h5" -o "$tmp/copy.h5" -s "$group" -d /copy >"$tmp/log" 2>&1 &&
       /usr/bin/python3 - "$tmp/$name.h5" "$group" "$tmp/copy.h5" >"$tmp/diff" 2>&1 <<'PY'
import sys, h5py, numpy as np
src = h5py.File(sys.argv[1], "r")[sys.argv[2]]
dst = h5py.File(sys.argv[3], "r")["/copy"]
names = []
src.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
for n in names:
    a, b = src[n][()], dst[n][()]
    same = a.shape == b.shape and (np.array_equal(a, b, equal_nan=True) if a.dtype.kind == "f"
                                   else np.array_equal(a, b))
    if not same:
        sys.exit(f"{n}: values differ after the copy")
    if dict(src[n].attrs).keys() != dict(dst[n].attrs).keys():
        sys.exit(f"{n}: attributes differ after the copy")
if set(src.attrs.keys()) != set(dst.attrs.keys()):
    sys.exit("group attributes differ after the copy")
PY
    then
      pass=$((pass + 1))
    else
      fail=$((fail + 1)); echo "FAIL $name $group: copy failed or differs"; cat "$tmp/log" "$tmp/diff" 2>/dev/null | head -5
    fi
  done < <(h5ls -r "$tmp/$name.h5" | awk '$2 == "Group" && $1 != "/" {print $1}')
done
echo "h5copy $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
