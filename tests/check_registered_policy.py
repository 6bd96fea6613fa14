#!/usr/bin/python3
"""A birth reward with `requires: registered` pays the registered share of the births.

usage: check_registered_policy.py FILE
The file is tests/data/regions/registered_reward.yaml's run: reward_registered pays 20,000
yuan per second birth to registered mothers only, reward_everyone to every mother. Checks:
reward_registered's recipients are its second births times the registered share of the birth
cohort (registration/registered over population at age 0 one year later), in every region
and step wholly in force (from 1 July 2026); reward_everyone's are all its second births; and the
registered-only reward gains fewer births (its response acts on registered mothers only).
"""
import sys

import h5py
import numpy as np
import xarray as xr


def group(path, g):
    return xr.open_dataset(path, group=f"scenarios/{g}")


def main(path):
    bad = []
    reg = group(path, "reward_registered")
    status = group(path, "reward_registered/registration")
    led = group(path, "reward_registered/policy/reward")
    second = reg.births_by_order.isel(order=1).values[:-1]
    share = (status.registered.isel(age=0).sum("sex") /
             reg.population.isel(age=0).sum("sex")).values[1:]
    want = second * share
    got = led.recipients.values[:-1]
    paid = got > 0
    paid[0] = False  # the step from 1 July 2025 has the reward for half its length only
    if paid.sum() < 5:
        bad.append("the reward paid in fewer than 5 region-years")
    if not np.allclose(got[paid], want[paid], rtol=1e-12):
        bad.append(f"registered recipients {got[paid][:3]} != births x share {want[paid][:3]}")
    if not (share[paid] < 0.99).all():
        bad.append("registered share of births is not below 1")
    every = group(path, "reward_everyone")
    led_all = group(path, "reward_everyone/policy/reward")
    got_all = led_all.recipients.values[:-1]
    second_all = every.births_by_order.isel(order=1).values[:-1]
    if not np.allclose(got_all[paid], second_all[paid], rtol=1e-12):
        bad.append("reward_everyone does not pay every second birth")
    with h5py.File(path, "r") as f:
        g_reg = f["scenarios/reward_registered"].attrs["births_gained"]
        g_all = f["scenarios/reward_everyone"].attrs["births_gained"]
    if not 0 < g_reg < g_all:
        bad.append(f"births gained {g_reg} (registered only) not in (0, {g_all})")
    for line in bad:
        print("FAIL", line)
    print(f"registered policy: {len(bad)} failures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
