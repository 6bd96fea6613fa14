#!/usr/bin/env python3
"""Check that a popsim result file opens as labelled arrays in xarray (netCDF-4/CF readers).

usage: check_xarray.py FILE SCENARIO YEAR EXPECTED_TOTAL

Opens group scenarios/SCENARIO with xarray, checks dimension names and order, coordinate
values, units, that the NaN _FillValue of the last year of births reads as NaN, and that the
population total on 1 July YEAR equals EXPECTED_TOTAL. Exits non-zero on the first failure,
including a missing xarray or netCDF backend: this check must never pass by skipping.
"""
import math
import sys

import numpy as np
import xarray as xr

EXPECTED_DIMS = {
    "population": ("year", "region", "sex", "age"),
    "births": ("year", "region", "sex"),
    "deaths": ("year", "region", "sex", "age"),
    "net_migration": ("year", "region", "sex", "age"),
    "asfr": ("year", "region", "age"),
    "tfr": ("year", "region"),
    "e0": ("year", "region", "sex"),
}
# CF units (udunits2 strings) and, for counts, the words in unit_description (issue #16).
EXPECTED_UNITS = {
    "population": ("1", "persons"),
    "births": ("1", "persons"),
    "deaths": ("1", "persons"),
    "net_migration": ("1", "persons"),
    "asfr": ("year-1", "per person-year"),
    "tfr": ("1", "children per woman"),
    "e0": ("year", None),
}


def pick_engine():
    """The first installed netCDF-4 backend; raises if there is none."""
    for engine, module in (("netcdf4", "netCDF4"), ("h5netcdf", "h5netcdf")):
        try:
            __import__(module)
            return engine
        except ImportError:
            continue
    raise SystemExit("check_xarray: neither netCDF4 nor h5netcdf is installed")


def check(path, scenario, year, expected_total):
    engine = pick_engine()
    with xr.open_dataset(path, engine=engine) as root:
        assert root.attrs["Conventions"] == "CF-1.8", root.attrs
        assert "popsim_version" in root.attrs and "history" in root.attrs, root.attrs
    with xr.open_dataset(path, group=f"scenarios/{scenario}", engine=engine) as ds:
        for name, dims in EXPECTED_DIMS.items():
            assert ds[name].dims == dims, f"{name}: dims {ds[name].dims}, expected {dims}"
            assert ds[name].dtype == np.float64, f"{name}: dtype {ds[name].dtype}"
            units, words = EXPECTED_UNITS[name]
            assert ds[name].attrs["units"] == units, f"{name}: {ds[name].attrs}"
            assert ds[name].attrs.get("unit_description") == words, f"{name}: {ds[name].attrs}"
            assert "long_name" in ds[name].attrs, f"{name}: no long_name"
            fill = ds[name].encoding.get("_FillValue")
            assert fill is not None and math.isnan(fill), f"{name}: _FillValue {fill!r}"
        years = ds["year"].values
        assert np.issubdtype(years.dtype, np.integer), years.dtype
        assert list(years) == list(range(int(years[0]), int(years[0]) + len(years))), years
        # Integer calendar years are a label coordinate, not CF time (docs/output-format.md).
        assert "units" not in ds["year"].attrs, ds["year"].attrs
        assert "calendar year" in ds["year"].attrs["unit_description"], ds["year"].attrs
        assert list(ds["sex"].values) == ["male", "female"], ds["sex"].values
        assert np.issubdtype(ds["age"].values.dtype, np.integer), ds["age"].dtype
        assert list(ds["age"].values) == list(range(ds.sizes["age"])), ds["age"].values
        assert ds["age"].attrs["units"] == "year", ds["age"].attrs
        assert all(isinstance(r, str) and r for r in ds["region"].values), ds["region"].values
        last = ds["births"].isel(year=-1)
        assert bool(last.isnull().all()), f"births in the last year should be NaN: {last.values}"
        assert not bool(ds["births"].isel(year=0).isnull().any()), "births of year 0 missing"
        total = float(ds["population"].sel(year=year).sum())
        assert math.isclose(total, expected_total, rel_tol=1e-12), \
            f"population total on 1 July {year} is {total}, expected {expected_total}"
        print(f"check_xarray: ok ({engine}): regions {list(ds['region'].values)}, "
              f"total {year} = {total}")


def main(argv):
    if len(argv) != 5:
        raise SystemExit(__doc__)
    check(argv[1], argv[2], int(argv[3]), float(argv[4]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
