#!/usr/bin/python3
"""check_prob_process.py - the process parameters a `popsim run --location` file records
(process_persistence, process_level_share, process_centring, process_per_person,
process_size_elasticity and process_level_skew over region x process) against
an independent computation from the UN's CSV files (docs/model.md 9.3): the migration
persistence solves (1 - rho^54) / (1 - rho^14) = g^2, g the 80 % half-width of net migrants
per person (mid-year UN median population) in 2050 over 2030, kept within the floor 0.72 and
the cap 0.99 that docs/model.md states, unless (round 10) the solution of
(1 - rho^14) / (1 - rho^2) = e^2, e the half-width per person in 2030 over 2024 (2024's
population: the UN's median at 31 December 2024), kept within 0 and the floor, is below the
floor and e is at least 0.85 (the band did not narrow): then that one; its centring is
1 - 1 / n_eff, n_eff the effective
number of independent years in the mean of the bounds' years (2024..2100 in the CSV) of that
AR(1), computed here as T^2 over the double sum of the correlations L + (1 - L) rho^|i - j|
(L the level share); TFR is not centred, since the file's median is aligned with the
deterministic projection (docs/model.md 9.7, round 16; checked: population_alignment is
there). Before round 16 the TFR centring was the same function of the TFR persistence and
level share. Net migrants of a --location run follow
each trajectory's size in the inputs' part (round 11: per person 3; TFR and e0 0), and the
deviation with the size elasticity 0.4 (round 13, re-estimated in round 15). TFR's level
share and the level's skew follow the phase of fertility decline (post-transition: the UN's
median TFR of the bounds' first year below 2.1, from tfr_pi_annual.csv): level share 0.4 and
skew 1 in transition (round 17), 0.5 and 0 after it; e0 and migration have neither.

usage: check_prob_process.py FILE GROUP WPP_DIR
Every location of the file is checked; prints one line per location, exits 1 on a mismatch.
"""
import csv
import os
import sys

import h5py

FLOOR, CAP, EARLY_FLOOR, NARROWING = 0.72, 0.99, 0.0, 0.85  # docs/model.md 9.3


def band_growth(wpp, codes):
    """(growth 2050 / 2030, early widening 2030 / 2024) of each location's band per person"""
    half = {}  # (code, year) -> 80 % half-width of net migrants
    pop = {}   # (code, year) -> median population, 31 December
    with open(os.path.join(wpp, "migration_total_pi_annual.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if int(r["country_code"]) in codes and r["year"] in ("2024", "2030", "2050"):
                half[(int(r["country_code"]), int(r["year"]))] = \
                    (float(r["hi80"]) - float(r["lo80"])) / 2
    with open(os.path.join(wpp, "pop_total_pi_annual.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if int(r["country_code"]) in codes and \
                    r["year"] in ("2024", "2029", "2030", "2049", "2050"):
                pop[(int(r["country_code"]), int(r["year"]))] = float(r["median"])
    out = {}
    for c in codes:
        mid = {y: (pop[(c, y - 1)] + pop[(c, y)]) / 2 for y in (2030, 2050)}
        out[c] = ((half[(c, 2050)] / mid[2050]) / (half[(c, 2030)] / mid[2030]),
                  (half[(c, 2030)] / mid[2030]) / (half[(c, 2024)] / pop[(c, 2024)]))
    return out


def post_transition(wpp, codes):
    first = {}
    with open(os.path.join(wpp, "tfr_pi_annual.csv"), newline="") as f:
        for r in csv.DictReader(f):
            c, y = int(r["country_code"]), int(r["year"])
            if c in codes and (c not in first or y < first[c][0]):
                first[c] = (y, float(r["median"]))
    return {c: v[1] < 2.1 for c, v in first.items()}


def bound_years(wpp, codes):
    years = {}
    with open(os.path.join(wpp, "migration_total_pi_annual.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if int(r["country_code"]) in codes:
                years.setdefault(int(r["country_code"]), set()).add(int(r["year"]))
    return {c: max(y) - min(y) + 1 for c, y in years.items()}


def centring_from_rho(rho, t, level=0.0):
    # 1 / n_eff is the variance of the mean of t unit-variance years: the double sum over t^2
    total = sum(level + (1 - level) * rho ** abs(i - j) for i in range(t) for j in range(t))
    n_eff = t * t / total
    return 1 - 1 / n_eff if n_eff > 1 else 0.0


def rho_from_widening(g, a, c, lo_bound, hi_bound):
    """rho with (1 - rho^c) / (1 - rho^a) = g^2, within [lo_bound, hi_bound]"""
    r = g * g
    if r <= 1:
        return lo_bound
    if r >= c / a:
        return hi_bound
    lo, hi = 0.0, 1.0
    for _ in range(100):
        mid = (lo + hi) / 2
        if (1 - mid ** c) / (1 - mid ** a) < r:
            lo = mid
        else:
            hi = mid
    return min(max((lo + hi) / 2, lo_bound), hi_bound)


def rho_from_growth(g, early):
    if early >= NARROWING:
        rho = rho_from_widening(early, 2, 14, EARLY_FLOOR, FLOOR)
        if rho < FLOOR:
            return rho
    return rho_from_widening(g, 14, 54, FLOOR, CAP)


def main():
    path, group, wpp = sys.argv[1:4]
    with h5py.File(path, "r") as f:
        g = f[group]
        procs = [p.decode() if isinstance(p, bytes) else p for p in g["process"][()]]
        codes = [int(c) for c in g["location_code"][()]]
        dim = g["process_persistence"].dims
        rho = g["process_persistence"][()]
        level = g["process_level_share"][()]
        centre = g["process_centring"][()]
        per_person = g["process_per_person"][()]
        elasticity = g["process_size_elasticity"][()]
        skew = g["process_level_skew"][()]
        aligned = "population_alignment" in g
        labels = g["region"] if "region" in g else g["location"]
        labels = [x.decode() if isinstance(x, bytes) else x for x in labels[()]]
        scales = [dim[k][0].name.rsplit("/", 1)[-1] for k in range(2)]
    bad = 0
    if procs != ["tfr", "e0", "net_migration"] or scales[1] != "process":
        print(f"FAIL coordinates: process {procs}, dimensions {scales}")
        return 1
    growth = band_growth(wpp, set(codes))
    years = bound_years(wpp, set(codes))
    post = post_transition(wpp, set(codes))
    for i, code in enumerate(codes):
        want = rho_from_growth(*growth[code])
        got = rho[i][2]
        want_c = centring_from_rho(got, years[code])
        want_cf = 0.0  # aligned (checked below); centring_from_rho(rho, T, level) before
        ok = abs(got - want) < 1e-6 and 0 <= level[i].min() and level[i].max() <= 1 \
            and 0 <= centre[i].min() and centre[i].max() <= 1 and 0 < rho[i][0] < 1 \
            and level[i][2] == 0 and abs(centre[i][2] - want_c) < 1e-9 \
            and abs(centre[i][0] - want_cf) < 1e-9 and list(per_person[i]) == [0, 0, 3] \
            and list(elasticity[i]) == [0, 0, 0.4] and aligned \
            and list(level[i]) == [0.5 if post[code] else 0.4, 0, 0] \
            and list(skew[i]) == [0.0 if post[code] else 1.0, 0, 0]
        print(f"{labels[i]}: migration band growth {growth[code][0]:.4f}, early widening "
              f"{growth[code][1]:.4f}, persistence "
              f"{got:.6f} (independent {want:.6f}), centring {centre[i][2]:.6f} "
              f"(independent {want_c:.6f}); TFR centring {centre[i][0]:.6f} (independent "
              f"{want_cf:.6f}); per person {list(per_person[i])}, size elasticity "
              f"{list(elasticity[i])}; {'post-transition' if post[code] else 'in transition'}, "
              f"TFR level share {level[i][0]} skew {skew[i][0]}{'' if ok else '  <-- FAIL'}")
        bad += not ok
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
