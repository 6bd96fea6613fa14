#!/usr/bin/python3
"""A probabilistic result (issue #14) opens in xarray labelled, and holds what it says.

usage: check_xarray_prob.py FILE GROUP OTHER_FILE
FILE was written with --keep-trajectories; OTHER_FILE by the same run on another thread count.
Checks: the coordinates and their labels; the quantile coordinate is a dimension of every
quantile variable; population_total's quantiles are R type-7 quantiles of the trajectories'
totals (not sums of cells) and its _mean their mean; the total equals the sum over sex and age
group of `population` for each trajectory's mean; every variable has units and long_name;
both files hold the same numbers.
"""
import sys

import numpy as np
import xarray as xr


def main(path, group, other):
    ds = xr.open_dataset(path, group=group)
    fails = []
    q = ds["quantile"].values.tolist()
    if q != [0.025, 0.1, 0.5, 0.9, 0.975]:
        fails.append(f"quantile coordinate {q}")
    if list(ds["sex"].values) != ["male", "female"]:
        fails.append("sex labels")
    if ds["age_group"].values[-1] != 100 or ds["year"].values[0] != 2025:
        fails.append("age_group or year coordinate")
    for name, var in ds.data_vars.items():
        if "units" not in var.attrs or "long_name" not in var.attrs:
            fails.append(f"{name} lacks units or long_name")
        if name in ("population_total", "births", "tfr", "e0", "population") and \
                "quantile" not in var.dims:
            fails.append(f"{name} has no quantile dimension")
    tr = ds["population_total_trajectories"].sel(year=2060).squeeze().values
    got = ds["population_total"].sel(year=2060).squeeze().values
    want = np.quantile(tr, q)
    if not np.allclose(got, want, rtol=1e-12):
        fails.append(f"population_total quantiles {got} != type-7 quantiles {want}")
    if not np.isclose(float(ds["population_total_mean"].sel(year=2060)), tr.mean(), rtol=1e-12):
        fails.append("population_total_mean is not the trajectories' mean")
    cells = float(ds["population_mean"].sel(year=2060).sum())
    if not np.isclose(cells, tr.mean(), rtol=1e-9):
        fails.append(f"population_mean sums to {cells}, total mean {tr.mean()}")
    lo, hi = got[0], got[-1]
    if not lo < got[2] < hi:
        fails.append("quantiles are not increasing")
    ob = xr.open_dataset(other, group=group)
    for name in ("population_total", "births", "tfr", "e0", "population"):
        if not np.array_equal(ds[name].values, ob[name].values, equal_nan=True):
            fails.append(f"{name} differs between thread counts")
    for f in fails:
        print("FAIL", f)
    print(f"check_xarray_prob: {len(fails)} failures; 2060 total {got}")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
