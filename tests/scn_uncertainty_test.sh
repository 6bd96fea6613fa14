#!/usr/bin/env bash
# scn_uncertainty_test.sh - `popsim run SCENARIO` with `uncertainty:` (issue #14, sec. 1):
# scenarios/example_city_uncertainty.yaml writes /probabilistic/<name> with a quantile
# coordinate and the scenario's file and SHA-256 as global attributes, identical numbers for
# OMP_NUM_THREADS=1 and 2 (h5diff), no spread in the base
# year and a spread that widens to the end; a row of bounds with lo80 above the scenario's
# TFR and an unknown key exit 1 with file:line:col and leave no file.
# usage: scn_uncertainty_test.sh POPSIM PROJECT_ROOT
set -u
popsim=$1 root=$2
source "$root/tests/testlib.sh" scn_uncertainty
dir=$tmp
scn=$root/scenarios/example_city_uncertainty.yaml grp=/probabilistic/example_city_uncertainty
same_with_threads "$popsim" "$scn" "$grp"
/usr/bin/python3 - "$dir/a.h5" "${grp#/}" <<'PY' || fail=1
import sys
import numpy as np
import xarray as xr
ds = xr.open_dataset(sys.argv[1], group=sys.argv[2])
fails = []
if ds["quantile"].values.tolist() != [0.025, 0.1, 0.5, 0.9, 0.975]:
    fails.append("quantile coordinate")
if str(ds["region"].values[0]) != "Example City":
    fails.append(f"region label {ds['region'].values}")
tot = ds["population_total"].squeeze()
base, last = tot.sel(year=2025).values, tot.sel(year=2050).values
if not np.all(base == base[2]):
    fails.append(f"base year has a spread: {base}")
if not (last[0] < last[1] < last[2] < last[3] < last[4]) or last[4] - last[0] < 0.01 * last[2]:
    fails.append(f"2050 quantiles not spread: {last}")
tfr = ds["tfr"].squeeze().sel(year=2050).values
# the 80 % half-width of the example is 0.25 children at 2050 around 0.8975 (sampling error of
# the 10 % and 90 % quantiles of 1000 trajectories: about 0.02)
if abs(tfr[3] - (0.8975 + 0.25)) > 0.05 or abs(tfr[2] - 0.8975) > 0.03:
    fails.append(f"2050 TFR quantiles {tfr}")
import h5py
with h5py.File(sys.argv[1], "r") as h:
    if not str(h.attrs.get("scenario_file", "")).endswith("example_city_uncertainty.yaml") or \
            len(str(h.attrs.get("scenario_sha256", ""))) != 64:
        fails.append("scenario_file or scenario_sha256 attribute")
    # a scenario's migration assumptions are counts: its migrants stay in persons
    for var in ("process_per_person", "process_size_elasticity"):
        if h[sys.argv[2]][var][()].tolist() != [[0, 0, 0]]:
            fails.append(f"{var} {h[sys.argv[2]][var][()]}")
for f in fails:
    print("FAIL", f)
sys.exit(1 if fails else 0)
PY
bad=$root/tests/data/uncertainty/bad
run_refused "$popsim" "$bad/lo_above_median.yaml" "lo_above_median.csv:2:11: error: lo80 = 0.95" \
    "lo above median"
run_refused "$popsim" "$bad/unknown_key.yaml" "unknown_key.yaml:17:5: error: unknown key 'widht'" \
    "unknown key"
[ $fail -eq 0 ] && echo "scn_uncertainty_test: ok"
[ $fail -eq 0 ]
