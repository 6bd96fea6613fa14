#!/usr/bin/python3
"""A multiregional run's output opens labelled in xarray and its internal migration adds up.

usage: check_xarray_regions.py [--no-flows] FILE SCENARIO REGION... (the region names in
order; --no-flows: a run without the origin-destination output, such as engine: micro)
Checks: the region, origin and destination coordinates are the names given; internal net
migration sums to zero over regions in every year, sex and age; in - out == net; each
region's out-migrants (summed over ages) equal its row of flows; and every region's
population follows population + births - deaths + net migration; with a registration group,
registered + unregistered == population and neither is negative.
"""
import sys

import numpy as np
import xarray as xr


def main(path, name, regions, expect_flows=True):
    scn = xr.open_dataset(path, group=f"scenarios/{name}")
    im = xr.open_dataset(path, group=f"scenarios/{name}/internal_migration")
    bad = []
    im_dims = ["region", "origin", "destination"] if expect_flows else ["region"]
    for ds, dims in ((scn, ["region"]), (im, im_dims)):
        for d in dims:
            if [str(v) for v in ds[d].values] != regions:
                bad.append(f"{d} coordinate {list(ds[d].values)} != {regions}")
    steps = im.net.isel(year=slice(0, -1))
    scale = float(im["in"].isel(year=slice(0, -1)).sum())
    if not scale > 0:
        bad.append("no internal migration at all")
    worst = float(abs(steps.sum("region")).max())
    if worst > 1e-9 * max(scale, 1.0):
        bad.append(f"internal net migration does not sum to zero over regions ({worst:g})")
    if not np.allclose(im["in"] - im["out"], im.net, rtol=0, atol=1e-9, equal_nan=True):
        bad.append("in - out != net")
    if "flows" in im:
        fl = im.flows.isel(year=slice(0, -1)).sum(["destination", "age"])
        out = im["out"].isel(year=slice(0, -1)).sum("age").rename(region="origin")
        if not np.allclose(fl.values, out.values, rtol=1e-12, atol=1e-9):
            bad.append("flows summed over destinations and ages != out-migrants")
    elif expect_flows:
        bad.append("no flows variable")
    pop = scn.population.sum(["sex", "age"])
    change = (scn.births.sum("sex") - scn.deaths.sum(["sex", "age"]) +
              scn.net_migration.sum(["sex", "age"])).isel(year=slice(0, -1))
    lhs = pop.isel(year=slice(1, None)).values
    rhs = (pop.isel(year=slice(0, -1)) + change).values
    if not np.allclose(lhs, rhs, rtol=1e-10):
        bad.append("population of a region does not follow its components")
    try:
        reg = xr.open_dataset(path, group=f"scenarios/{name}/registration")
    except OSError:
        reg = None
    if reg is not None:
        if [str(v) for v in reg["region"].values] != regions:
            bad.append("registration region coordinate")
        if not np.allclose(reg.registered + reg.unregistered, scn.population, rtol=1e-12):
            bad.append("registered + unregistered != population")
        if float(reg.registered.min()) < 0 or float(reg.unregistered.min()) < 0:
            bad.append("a negative registered or unregistered count")
    for line in bad:
        print("FAIL", line)
    print(f"regions: {name}: {len(regions)} regions, {len(bad)} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    args = sys.argv[1:]
    flows = not (args and args[0] == "--no-flows")
    args = args if flows else args[1:]
    sys.exit(main(args[0], args[1], args[2:], flows))
