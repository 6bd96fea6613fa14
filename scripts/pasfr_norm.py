#!/usr/bin/python3
"""The global norm of the UN's age pattern of fertility (docs/model.md 9.9), from WPP 2024.

The UN's method moves each country's percent ASFR towards one global norm pattern. Its
value is not published, but the medium patterns that reach it show it. Two steps:

1. A first norm by the UN's rule for choosing the countries it averages: the 2023 pattern
   of the countries (not areas, not the smallest) whose fertility transition's phase II
   ended by 2023 and whose mean age at childbearing in 2023 is at least 30.
2. With that norm, the countries whose medium pattern the method brings to the norm by 2080
   (and does not hold at a mean age above it) are found; the norm is the median of their
   published 2100 patterns, group by group.

This is a second implementation of the method (src/demog/pasfr.c has the first), written
from the same description, so that the compiled norm can be checked from the data.

Usage: pasfr_norm.py WPP_DIR            prints the norm
       pasfr_norm.py WPP_DIR --check F  checks the norm compiled in F (src/demog/pasfr.c)
"""
import csv
import re
import sys

import numpy as np

FIRST, PRESENT, LAST = 1950, 2023, 2100
AGES = [10, 15, 20, 25, 30, 35, 40, 45, 50]
MIDS = np.array([a + 2.5 for a in AGES])
# The smallest countries and areas, which the UN leaves out of its norm (M49 codes).
SMALL = {16, 20, 60, 92, 136, 184, 212, 234, 238, 292, 304, 336, 438, 492, 500, 520, 534, 535,
         570, 580, 584, 585, 652, 654, 659, 660, 663, 666, 674, 772, 796, 798, 833, 876}


def read(wpp):
    tfr, pasfr, kind = {}, {}, {}
    with open(f"{wpp}/tfr_annual.csv", newline="") as f:
        for r in csv.DictReader(f):
            tfr.setdefault(int(r["country_code"]), {})[int(r["year"])] = float(r["value"])
    with open(f"{wpp}/pasfr_age5_annual.csv", newline="") as f:
        for r in csv.DictReader(f):
            pasfr.setdefault(int(r["country_code"]), {}).setdefault(int(r["year"]), {})[
                int(r["age"])] = float(r["value"])
    with open(f"{wpp}/locations.csv", newline="") as f:
        for r in csv.DictReader(f):
            kind[int(r["country_code"])] = r["location_type"]
    return tfr, pasfr, kind


def pattern(pasfr, code, year):
    return np.array([pasfr[code][year].get(a, 0.0) for a in AGES])


def end_of_phase2(t, first):
    """1-based index of the end of phase II (len(t) if not ended)."""
    n = len(t)
    lo = first + (-first) % 5
    bins = [(first + i - (lo - 5) - 1) // 5 for i in range(n)]
    keys = sorted(set(bins))
    means = [np.mean([t[i] for i in range(n) if bins[i] == k]) for k in keys]
    if sum(m < 2 for m in means) <= 2:
        return n
    for k in range(2, len(means)):
        if means[k] > means[k - 1] > means[k - 2] and max(means[k - 2:k + 1]) < 2:
            i = bins.index(keys[k - 1]) + 1 + 2
            i = min(i, n)
            return n if n - i < 5 else i
    return n


def converge_year(t):
    n, tobs = len(t), PRESENT - FIRST + 1
    sp3 = end_of_phase2(t, FIRST) + 1
    if sp3 > n:
        if t[-1] > 1.8:
            x = np.arange(n - 19, n + 1)
            slope, icpt = np.polyfit(x, t[n - 20:], 1)
            if slope < -1e-3 and icpt > 1.8:
                sp3 = min(max(int(np.round((1.8 - icpt) / slope)), n) + 1, n + 50)
            else:
                sp3 = n + 50
        return FIRST + sp3 + 24, sp3
    later = [i for i in range(sp3, n + 1) if not t[i - 1] < t[-1]]
    return FIRST + max(later[0], tobs + 20) - 1, sp3


def logit(x):
    return np.log(x / (1 - x))


def expit(x):
    return 1 / (1 + np.exp(-x))


def method(pasfr, code, t, norm):
    """Percent by group for PRESENT+1..LAST, before the rules on the youngest and oldest
    rates, and whether the pattern was held above the norm's mean age."""
    end_t, sp3 = converge_year(t)
    pr = np.maximum(pattern(pasfr, code, PRESENT) / 100, 1e-6)
    pr /= pr.sum()
    pe = np.maximum(pattern(pasfr, code, PRESENT - 14) / 100, 1e-6)
    pe /= pe.sum()
    g = norm / norm.sum()
    out = []
    for y in range(PRESENT + 1, LAST + 1):
        tau = min((y - PRESENT) / (end_t - PRESENT), 1)
        a1 = expit(logit(pr) + tau * (logit(g) - logit(pr)))
        a1 /= a1.sum()
        a2 = expit(logit(pr) + (y - PRESENT) / 14 * (logit(pr) - logit(pe)))
        a2 /= a2.sum()
        r = expit(tau * logit(a1) + (1 - tau) * logit(a2))
        out.append(r / r.sum())
    out = np.array(out)
    held = False
    tobs = PRESENT - FIRST + 1
    if sp3 <= len(t):
        s = max(sp3 - tobs, 1) - 1
        if s < len(out) - 1:
            mac = out[s:] @ MIDS
            j = int(np.argmax(mac))
            if mac[j] > g @ MIDS:
                out[s + j:] = out[s + j]
                held = True
    return out * 100, end_t, held


def estimate(wpp):
    tfr, pasfr, kind = read(wpp)
    countries = [c for c in sorted(pasfr) if kind.get(c) == "4" and c in tfr]
    first = []
    for c in countries:
        t = np.array([tfr[c][y] for y in range(FIRST, LAST + 1)])
        if c in SMALL or FIRST + end_of_phase2(t, FIRST) - 1 > PRESENT:
            continue
        p = pattern(pasfr, c, PRESENT)
        if p @ MIDS / 100 >= 30:
            first.append(p)
    norm0 = np.mean(first, axis=0)
    chosen = []
    for c in countries:
        t = np.array([tfr[c][y] for y in range(FIRST, LAST + 1)])
        _, end_t, held = method(pasfr, c, t, norm0)
        if end_t <= 2080 and not held:
            chosen.append(pattern(pasfr, c, LAST))
    return np.median(chosen, axis=0), len(first), len(chosen)


def main():
    if len(sys.argv) not in (2, 4) or (len(sys.argv) == 4 and sys.argv[2] != "--check"):
        sys.exit(__doc__)
    norm, n_first, n_chosen = estimate(sys.argv[1])
    text = ", ".join(f"{v:.4f}" for v in norm)
    print(f"first norm from {n_first} countries; the norm from the 2100 patterns of "
          f"{n_chosen}: {text}")
    if len(sys.argv) == 4:
        src = open(sys.argv[3]).read()
        m = re.search(r"ps_pasfr_norm\[PS_PASFR_GROUPS\] = \{([^}]*)\}", src)
        if m is None:
            sys.exit(f"{sys.argv[3]}: no ps_pasfr_norm initializer")
        compiled = np.array([float(v) for v in m.group(1).split(",")])
        if compiled.shape != norm.shape or np.abs(compiled - norm).max() > 5e-5:
            sys.exit(f"{sys.argv[3]}: ps_pasfr_norm is {list(compiled)}, the data give {text}")
        print("the compiled norm is the estimate")


if __name__ == "__main__":
    main()
