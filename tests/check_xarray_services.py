#!/usr/bin/env python3
"""Check the services, care_need and indicators groups of a popsim run in xarray.

usage: check_xarray_services.py FILE SCENARIO SERVICE TARGET_PER_1000

Opens scenarios/SCENARIO/services/SERVICE: labelled (year, region) and (year, region, class)
variables with units; demand is the sum of demand_by_class; with a target per 1,000 total
population, capacity = target x total population / 1000 and surplus - shortage = capacity -
demand (occupancy 1); care_need/persons and indicators/ are labelled and consistent with the
population. Exits non-zero on the first failure; never skips.
"""
import sys

import numpy as np
import xarray as xr


def main(path, scenario, service, target):
    engine = "netcdf4"
    grp = f"scenarios/{scenario}"
    with xr.open_dataset(path, group=grp, engine=engine) as ds:
        total = ds["population"].sum(dim=("sex", "age"))
        pop = ds["population"]
        old = pop.sel(age=slice(65, None)).sum(dim=("sex", "age"))
        work = pop.sel(age=slice(15, 64)).sum(dim=("sex", "age"))
    with xr.open_dataset(path, group=f"{grp}/services/{service}", engine=engine) as sv:
        for name in ("demand", "capacity", "shortage", "surplus", "utilization", "per_1000",
                     "staff", "groups", "cost", "fees", "subsidy", "subsidy_recipients",
                     "new_places"):
            assert sv[name].dims == ("year", "region"), (name, sv[name].dims)
            assert "units" in sv[name].attrs and "long_name" in sv[name].attrs, name
        assert sv["demand_by_class"].dims == ("year", "region", "class")
        assert sv["target"].dims == ("year",)
        assert sv.attrs["kind"] and sv.attrs["basis"] == "population", sv.attrs
        assert abs(sv.attrs["target_per_1000"] - target) < 1e-12, sv.attrs
        assert int(sv["year"][0]) == int(pop["year"][0])
        assert list(sv["class"].values), "no class labels"
        np.testing.assert_allclose(sv["demand_by_class"].sum(dim="class"), sv["demand"],
                                   rtol=1e-12)
        np.testing.assert_allclose(sv["capacity"], target * total / 1000, rtol=1e-12)
        np.testing.assert_allclose(sv["surplus"] - sv["shortage"],
                                   sv["capacity"] - sv["demand"], rtol=1e-9, atol=1e-6)
        assert float(sv["demand"].min()) > 0
    with xr.open_dataset(path, group=f"{grp}/care_need", engine=engine) as cn:
        assert cn["persons"].dims == ("year", "region", "level"), cn["persons"].dims
        assert len(cn["level"]) >= 1
        assert bool((cn["persons"] >= 0).all())
    with xr.open_dataset(path, group=f"{grp}/indicators", engine=engine) as ind:
        np.testing.assert_allclose(ind["old_age_dependency"], 100 * old / work, rtol=1e-12)
        assert ind["total_dependency"].dims == ("year", "region")
    print(f"check_xarray_services: {path} {scenario}/{service}: ok")


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]))
