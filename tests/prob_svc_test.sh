#!/usr/bin/env bash
# prob_svc_test.sh - `popsim run` of scenarios/example_city_uncertainty.yaml (uncertainty: and
# services:) and `popsim targets` on its file (issue #14, sec. 2; docs/services.md sec. 10).
# usage: prob_svc_test.sh POPSIM PROJECT_ROOT
set -u
popsim=$1 root=$2
source "$root/tests/testlib.sh" prob_svc
dir=$tmp
scn=$root/scenarios/example_city_uncertainty.yaml grp=probabilistic/example_city_uncertainty
run_or_stop "$popsim" "$scn" "$dir/a.h5"
"$popsim" targets "$dir/a.h5" >"$dir/text" 2>&1 || { echo "FAIL targets exit $?"; fail=1; }
grep -q "^childcare: Childcare" "$dir/text" &&
    grep -Eq "^  2035: [0-9]+ % chance of a (shortage|surplus); demand [0-9,]+ \(80 %: [0-9,]+-[0-9,]+\), capacity [0-9,]+ places$" "$dir/text" ||
    { echo "FAIL targets text: $(head -5 "$dir/text")"; fail=1; }
"$popsim" targets --json "$dir/a.h5" >"$dir/json" || { echo "FAIL targets --json"; fail=1; }
/usr/bin/python3 - "$dir/a.h5" "$grp" "$dir/json" <<'PY' || fail=1
import json, sys
import numpy as np
import xarray as xr
ds = xr.open_dataset(sys.argv[1], group=sys.argv[2])
doc = json.load(open(sys.argv[3]))
fails = []
if doc["schema"] != "popsim-targets-prob/1":
    fails.append("schema " + doc["schema"])
names = [str(s) for s in ds["service"].values]
if names != ["childcare", "kindergarten", "elderly_institution"]:
    fails.append(f"service coordinate {names}")
if ds["service_demand"].dims != ("year", "region", "service", "quantile"):
    fails.append(f"service_demand dims {ds['service_demand'].dims}")
p = ds["service_p_shortage"].squeeze("region")
for s in doc["services"]:
    want = p.sel(service=s["name"]).values
    got = np.array([np.nan if v is None else v for v in s["p_shortage"]], dtype=float)
    if not np.array_equal(want, got, equal_nan=True):
        fails.append(f"{s['name']}: p_shortage {got[:5]} != file {want[:5]}")
    if not np.all((got >= 0) & (got <= 1)):
        fails.append(f"{s['name']}: p_shortage outside [0, 1]")
    med = ds["service_demand"].sel(service=s["name"], quantile=0.5).squeeze().values
    if not np.array_equal(med, np.array(s["demand_median"], dtype=float)):
        fails.append(f"{s['name']}: demand_median differs from the file")
cc = p.sel(service="childcare").values
if not (cc.min() == 0 and 0 < cc.max() < 1):
    fails.append(f"childcare P(shortage) has no doubtful year: {cc}")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
PY
"$popsim" targets --service nope "$dir/a.h5" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "a.h5: error: no service 'nope' in this probabilistic file; services: childcare, kindergarten, elderly_institution" "$dir/err" ||
    { echo "FAIL unknown service: $rc $(cat "$dir/err")"; fail=1; }
"$popsim" targets --scenario nope "$dir/a.h5" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "no scenario 'nope'" "$dir/err" ||
    { echo "FAIL unknown scenario: $rc $(cat "$dir/err")"; fail=1; }
[ $fail -eq 0 ] && echo "prob_svc_test: ok"
exit $fail
