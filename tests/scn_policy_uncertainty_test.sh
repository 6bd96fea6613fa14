#!/usr/bin/env bash
# scn_policy_uncertainty_test.sh - a scenario with `uncertainty:` and policy variants (issue
# #14, sec. 2; tests/data/uncertainty/policy_crn.yaml): the file holds a `variant` coordinate
# and births_gained / cost_per_additional_birth quantiles per variant, identical for
# OMP_NUM_THREADS=1 and 2 (h5diff); the zero-amount variant gains exactly 0 in every quantile;
# `popsim compare` prints each variant with its interval, `popsim info` lists them; the report has the policy table;
# uncertainty.elasticity: sometimes exits 1 with file:line:col and leaves no file.
# usage: scn_policy_uncertainty_test.sh POPSIM PROJECT_ROOT
set -u
popsim=$1 root=$2
source "$root/tests/testlib.sh" scn_policy_uncertainty
dir=$tmp
scn=$root/tests/data/uncertainty/policy_crn.yaml grp=/probabilistic/policy_crn
same_with_threads "$popsim" "$scn" "$grp"
/usr/bin/python3 - "$dir/a.h5" "${grp#/}" <<'PY' || fail=1
import sys
import numpy as np
import xarray as xr
ds = xr.open_dataset(sys.argv[1], group=sys.argv[2])
fails = []
if ds["variant"].values.tolist() != ["zero_subsidy", "child_subsidy", "birth_reward"]:
    fails.append(f"variant coordinate {ds['variant'].values}")
g = ds["births_gained_total"].squeeze("region")
if g.dims != ("variant", "quantile"):
    fails.append(f"births_gained_total dims {g.dims}")
if not np.all(g.sel(variant="zero_subsidy").values == 0.0):
    fails.append(f"zero-amount variant gains {g.sel(variant='zero_subsidy').values}")
q = g.sel(variant="child_subsidy").values
if not (q[0] <= q[1] < q[2] < q[3] <= q[4]) or q[2] <= 0:
    fails.append(f"child_subsidy births gained quantiles {q}")
c = ds["cost_per_additional_birth"].squeeze("region").sel(variant="child_subsidy").values
if not (np.isfinite(c[1]) and c[1] < c[2] < c[3]):
    fails.append(f"cost per additional birth quantiles {c}")
if not np.isinf(ds["cost_per_additional_birth"].squeeze("region").sel(variant="zero_subsidy").values).all():
    fails.append("zero-amount variant's cost per birth should be +inf (no gain)")
by_year = ds["births_gained"].squeeze("region")
if by_year.dims != ("year", "variant", "quantile") or not np.isnan(by_year.values[-1]).all():
    fails.append(f"births_gained dims {by_year.dims} or last year not NaN")
if ds["births_gained_none_share"].squeeze("region").sel(variant="zero_subsidy").item() != 1.0:
    fails.append("births_gained_none_share of the zero-amount variant")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
PY
"$popsim" compare "$dir/a.h5" >"$dir/cmp" 2>&1 || { echo "FAIL compare: $(cat "$dir/cmp")"; fail=1; }
grep -q "80 % interval" "$dir/cmp" &&
    grep -Eq "^  child_subsidy +[0-9,]+ \([0-9,]+ to [0-9,]+\) +[0-9,]+ \([0-9,]+ to [0-9,]+\)" "$dir/cmp" &&
    grep -Eq "^  zero_subsidy +0 \(0 to 0\) +no gain" "$dir/cmp" ||
    { echo "FAIL compare output: $(cat "$dir/cmp")"; fail=1; }
"$popsim" compare --json "$dir/a.h5" >"$dir/cmp.json" 2>&1 || { echo "FAIL compare --json"; fail=1; }
/usr/bin/python3 - "$dir/cmp.json" "$dir/a.h5" "${grp#/}" <<'PY' || fail=1
import json, sys
import h5py
import numpy as np
d = json.load(open(sys.argv[1]))
fails = []
if d["schema"] != "popsim-compare-prob/1" or [v["name"] for v in d["variants"]] != \
        ["zero_subsidy", "child_subsidy", "birth_reward"]:
    fails.append(f"schema or variants: {d['schema']} {[v['name'] for v in d['variants']]}")
with h5py.File(sys.argv[2], "r") as h:
    g = h[sys.argv[3]]
    for k, v in enumerate(d["variants"]):
        for name in ("births_gained_total", "cost_total", "cost_per_additional_birth"):
            want = g[name][0, k, :]
            got = np.array([np.inf if x is None else x for x in v[name]["quantiles"]])
            if not np.array_equal(got, want):
                fails.append(f"{v['name']} {name}: {got} != {want}")
        if v["births_gained_none_share"] != g["births_gained_none_share"][0, k]:
            fails.append(f"{v['name']} none share")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
PY
"$popsim" info "$dir/a.h5" 2>&1 | grep -q "variants      zero_subsidy, child_subsidy, birth_reward" ||
    { echo "FAIL info does not list the variants"; fail=1; }
"$popsim" report -q "$dir/a.h5" -o "$dir/r.html" >/dev/null 2>&1 &&
    grep -q 'class="prob-policy"' "$dir/r.html" && grep -q "birth_reward" "$dir/r.html" ||
    { echo "FAIL report has no policy table"; fail=1; }
run_refused "$popsim" "$root/tests/data/uncertainty/bad/elasticity_word.yaml" \
    "elasticity_word.yaml:20:15: error: uncertainty.elasticity: expected drawn or fixed" \
    "bad elasticity"
[ $fail -eq 0 ] && echo "scn_policy_uncertainty_test: ok"
[ $fail -eq 0 ]
