#!/usr/bin/env bash
# CF units (issue #16): every `units` attribute of the bundled scenarios' results is a unit
# udunits2 recognises (the udunits2 program of Debian's udunits-bin), and every variable
# whose `units` hides words ("1" for persons or yuan) says them in `unit_description`.
# usage: cf_units_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR
set -u
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
source "$(dirname "$0")/testlib.sh" cf_units "$wpp"
command -v udunits2 >/dev/null || { echo "FAIL udunits2 is not installed (scripts/setup.sh)"; exit 1; }
for name in china_policies example_city_micro; do
  expect "run_$name" "$exe" run -q "$root/scenarios/$name.yaml" -o "$tmp/$name.h5"
done
/usr/bin/python3 - "$tmp"/*.h5 >"$tmp/units" <<'PY'
import sys, h5py
units, bare = set(), []
for path in sys.argv[1:]:
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset) and "units" in obj.attrs:
            u = obj.attrs["units"]
            u = u.decode() if isinstance(u, bytes) else str(u)
            units.add(u)
            if u == "1" and obj.dtype.kind == "f" and "unit_description" not in obj.attrs \
                    and obj.name.split("/")[-1] not in ("utilization",):
                bare.append(obj.name)
    h5py.File(path, "r").visititems(visit)
for u in sorted(units):
    print(u)
if bare:
    print("BARE " + " ".join(bare[:5]))
PY
expect units_found test -s "$tmp/units"
expect no_bare_dimensionless_counts bash -c "! grep -q '^BARE' '$tmp/units'"
while read -r u; do
  [[ $u == BARE* ]] && continue
  expect "udunits_$u" bash -c "udunits2 -H '$u' -W '' 2>&1 | grep -vq \"Don't recognize\""
done <"$tmp/units"
finish cf_units
