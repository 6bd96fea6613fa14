#!/usr/bin/env python3
"""Check that the issue-#3 outputs of a popsim result file open as labelled arrays in xarray.

usage: check_xarray_policy.py FILE SCENARIO BASELINE

Opens group scenarios/SCENARIO and checks births_by_order (year, region, order) with
order == [1, 2, 3] and women_by_parity (year, region, age, parity) with parity == [0..3]; then
scenarios/SCENARIO/policy and every instrument group below it, whose variables must have the
dimensions (year, region) labelled with the scenario's years and regions. The policy totals on
the scenario group must agree with the ledgers: cost_total = sum of every instrument's cost,
births_gained = sum of births_gained, cost_per_additional_birth = their ratio. The numbers are
those of write_fixture() in tests/test_h5out.c. Exits non-zero on the first failure, including a
missing xarray or netCDF backend: this check must never pass by skipping.
"""
import math
import sys

import numpy as np
import xarray as xr

from check_xarray import pick_engine

# Instrument groups of the fixture, in write order, with their lever attribute.
EXPECTED_INSTRUMENTS = {"birth_bonus": "birth_reward", "nursery_places": "childcare"}
LEDGER_UNITS = {"recipients": "1", "cost": "1", "cost_discounted": "1"}
LEDGER_WORDS = {"recipients": "persons", "cost": "yuan", "cost_discounted": "yuan"}


def instrument_groups(path, scenario, engine):
    """Names of the subgroups of scenarios/SCENARIO/policy, in the file's order."""
    where = f"scenarios/{scenario}/policy"
    if engine == "netcdf4":
        import netCDF4

        with netCDF4.Dataset(path) as nc:
            return list(nc[where].groups)
    import h5netcdf

    with h5netcdf.File(path, "r") as nc:
        return list(nc[where].groups)


def check_labelled(ds, name, years, regions):
    """Variable `name` of ds has dims (year, region) labelled like the scenario group."""
    assert ds[name].dims == ("year", "region"), f"{name}: dims {ds[name].dims}"
    assert list(ds["year"].values) == years, f"{name}: year {ds['year'].values}"
    assert list(ds["region"].values) == regions, f"{name}: region {ds['region'].values}"
    assert ds[name].dtype == np.float64, f"{name}: dtype {ds[name].dtype}"
    fill = ds[name].encoding.get("_FillValue")
    assert fill is not None and math.isnan(fill), f"{name}: _FillValue {fill!r}"
    assert bool(ds[name].isel(year=-1).isnull().all()), f"{name}: last year should be NaN"


def check(path, scenario, baseline):
    engine = pick_engine()
    group = f"scenarios/{scenario}"
    with xr.open_dataset(path, group=group, engine=engine) as ds:
        years = [int(y) for y in ds["year"].values]
        regions = [str(r) for r in ds["region"].values]
        bbo = ds["births_by_order"]
        assert bbo.dims == ("year", "region", "order"), bbo.dims
        assert list(ds["order"].values) == [1, 2, 3], ds["order"].values
        assert ds["order"].attrs["note"] == "3 = third and later births", ds["order"].attrs
        assert bbo.attrs["units"] == "1" and bbo.attrs["unit_description"] == "persons", bbo.attrs
        wbp = ds["women_by_parity"]
        assert wbp.dims == ("year", "region", "age", "parity"), wbp.dims
        assert list(ds["parity"].values) == [0, 1, 2, 3], ds["parity"].values
        assert ds["parity"].attrs["note"] == "3 = three or more children", ds["parity"].attrs
        # births_by_order = 10 (order + 1) ... with order the 0-based index: label 2 -> 20.
        got = float(bbo.sel(year=years[1], region=regions[0], order=2))
        assert got == 20.0 + 100.0, f"births_by_order(2021, {regions[0]}, 2) = {got}"
        got = float(wbp.sel(year=years[0], region=regions[1], age=3, parity=2))
        assert got == 32.0, f"women_by_parity(.., age 3, parity 2) = {got}"
        attrs = dict(ds.attrs)
    assert attrs["baseline"] == baseline, attrs
    assert attrs["emigration_shortfall"] == 0.0, attrs

    with xr.open_dataset(path, group=f"{group}/policy", engine=engine) as pol:
        check_labelled(pol, "births_gained", years, regions)
        assert pol["births_gained"].attrs["units"] == "1", pol["births_gained"].attrs
        gained = float(pol["births_gained"].sum())

    names = instrument_groups(path, scenario, engine)
    assert names == list(EXPECTED_INSTRUMENTS), names
    cost = cost_discounted = 0.0
    for name in names:
        with xr.open_dataset(path, group=f"{group}/policy/{name}", engine=engine) as inst:
            assert inst.attrs["lever"] == EXPECTED_INSTRUMENTS[name], inst.attrs
            for var, units in LEDGER_UNITS.items():
                check_labelled(inst, var, years, regions)
                assert inst[var].attrs["units"] == units, f"{name}/{var}: {inst[var].attrs}"
                assert inst[var].attrs["unit_description"].startswith(LEDGER_WORDS[var]), \
                    f"{name}/{var}: {inst[var].attrs}"
            cost += float(inst["cost"].sum())
            cost_discounted += float(inst["cost_discounted"].sum())
            got = float(inst["recipients"].sel(year=years[0], region=regions[1]))
            k = names.index(name)
            assert got == 100.0 * (k + 1) + 1, f"{name}: recipients {got}"

    assert math.isclose(attrs["births_gained"], gained, rel_tol=1e-12), (attrs, gained)
    assert math.isclose(attrs["cost_total"], cost, rel_tol=1e-12), (attrs, cost)
    assert math.isclose(attrs["cost_total_discounted"], cost_discounted, rel_tol=1e-12), attrs
    assert math.isclose(attrs["cost_per_additional_birth"], cost / gained, rel_tol=1e-12), attrs
    assert math.isclose(attrs["cost_per_additional_birth_discounted"], cost_discounted / gained,
                        rel_tol=1e-12), attrs
    print(f"check_xarray_policy: ok ({engine}): instruments {names}, births gained {gained}, "
          f"cost {cost} yuan, {attrs['cost_per_additional_birth']} yuan per additional birth")


def main(argv):
    if len(argv) != 4:
        raise SystemExit(__doc__)
    check(argv[1], argv[2], argv[3])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
