#!/usr/bin/env bash
# prob_test.sh - `popsim run --trajectories` from the outside (issue #14): the file opens in
# xarray labelled and holds type-7 quantiles of the trajectories (check_xarray_prob.py); one
# and two threads write the same numbers; the process parameters it records are those of the
# location's UN bands (check_prob_process.py: China, the USA and every location); usage
# errors exit 2 and bad locations exit 1 with a message and no file.
# usage: prob_test.sh POPSIM WPP_DIR TESTS_DIR
set -u
popsim=$1 wpp=$2 here=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
fail=0
"$popsim" run --wpp-dir "$wpp" --location China --trajectories 200 --threads 1 \
    --keep-trajectories -q -o "$dir/a.h5" || { echo "FAIL run 1 thread"; fail=1; }
"$popsim" run --wpp-dir "$wpp" --location 156 --trajectories 200 --threads 2 \
    -q -o "$dir/b.h5" || { echo "FAIL run 2 threads"; fail=1; }
/usr/bin/python3 "$here/check_xarray_prob.py" "$dir/a.h5" probabilistic/china "$dir/b.h5" || fail=1
# the process parameters the file records, against an independent computation from the CSVs
/usr/bin/python3 "$here/check_prob_process.py" "$dir/a.h5" probabilistic/china "$wpp" >/dev/null ||
    { echo "FAIL process parameters of China"; fail=1; }
"$popsim" run --wpp-dir "$wpp" --location "United States of America" --trajectories 20 --end 2030 \
    -q -o "$dir/usa.h5" || { echo "FAIL run USA"; fail=1; }
/usr/bin/python3 "$here/check_prob_process.py" "$dir/usa.h5" probabilistic/united_states_of_america \
    "$wpp" >/dev/null || { echo "FAIL process parameters of the USA"; fail=1; }
# every country and area: the migration persistences of all rules (the growth's, the early
# widening's, a narrowing band's; docs/model.md 9.3, rounds 9 and 10)
"$popsim" run --wpp-dir "$wpp" --location all --trajectories 2 --end 2026 -q -o "$dir/all.h5" ||
    { echo "FAIL run all"; fail=1; }
/usr/bin/python3 "$here/check_prob_process.py" "$dir/all.h5" probabilistic/all_locations "$wpp" \
    >"$dir/all.txt" ||
    { echo "FAIL process parameters of every location:"; grep FAIL "$dir/all.txt"; fail=1; }
checked=$(grep -c 'independent' "$dir/all.txt")
[ "$checked" -ge 236 ] || { echo "FAIL process parameters: $checked locations checked"; fail=1; }
# docs/model.md 9.7: the median total of every year is the deterministic run's total (its
# own file), the factors are recorded, and each kept trajectory still satisfies
# P(y + 1) = P(y) + B - D + M + A, A the alignment's flow (China emigrates little: nothing is
# left unapplied)
"$popsim" run --wpp-dir "$wpp" --location China -q -o "$dir/det.h5" ||
    { echo "FAIL deterministic run"; fail=1; }
/usr/bin/python3 -c '
import h5py, sys
import numpy as np
with h5py.File(sys.argv[1], "r") as f:
    det = f["scenarios/china/population"][:, 0].sum(axis=(1, 2))
with h5py.File(sys.argv[2], "r") as f:
    g = f["probabilistic/china"]
    q = [round(float(x), 6) for x in g["quantile"][:]]
    med = g["population_total"][:, 0, q.index(0.5)]
    al = g["population_alignment"][:, 0]
    P = g["population_total_trajectories"][:, 0, :]
    B, D, M, A = (g[v + "_trajectories"][:-1, 0, :]
                  for v in ("births", "deaths", "net_migration", "alignment_flow"))
    a_med = g["alignment_flow"][:-1, 0, q.index(0.5)]
assert np.abs(med / det - 1).max() < 1e-12, np.abs(med / det - 1).max()
assert al.shape == det.shape and np.abs(al - 1).max() > 1e-4, al  # the drift it undid
resid = P[1:] - P[:-1] - B + D - M - A
assert np.abs(resid / P[1:]).max() < 1e-9, np.abs(resid / P[1:]).max()
# the alignment adds its own flow, the change of the factor times the next population
assert np.abs(A - (al[1:] - al[:-1])[:, None] * P[1:] / al[1:, None]).max() < 1e-6 * P.max()
assert np.abs(a_med).max() > 0, a_med' "$dir/det.h5" "$dir/a.h5" ||
    { echo "FAIL the median aligned with the deterministic projection"; fail=1; }
# --rho: the persistences given, the migration centring from the one given (1 - 1/n_eff over
# the bounds' 77 years, here from the double sum it stands for), and TFR uncentred: the median
# is aligned (docs/model.md 9.7, round 16)
"$popsim" run --wpp-dir "$wpp" --location China --trajectories 20 --end 2030 --rho 0.9,0.99,0.5 \
    -q -o "$dir/rho.h5" || { echo "FAIL run --rho"; fail=1; }
/usr/bin/python3 -c '
import h5py, sys
with h5py.File(sys.argv[1], "r") as f:
    rho = f["probabilistic/china/process_persistence"][0]
    c = f["probabilistic/china/process_centring"][0]
    al = f["probabilistic/china/population_alignment"][:]
t = 77
n_eff = t * t / sum(0.5 ** abs(i - j) for i in range(t) for j in range(t))
assert abs(rho[2] - 0.5) < 1e-12 and abs(c[2] - (1 - 1 / n_eff)) < 1e-9, (rho, c, n_eff)
assert abs(rho[0] - 0.9) < 1e-12 and c[0] == 0 and len(al) == 6, (rho, c, al)' \
    "$dir/rho.h5" || { echo "FAIL --rho: TFR and migration centrings"; fail=1; }
# popsim info shows them (China's migration band is as wide in 2024 as in 2030 and 2050: below
# the floor, its early widening gives 0, docs/model.md 9.3 round 9), and --json gives each
# location's three
"$popsim" info "$dir/a.h5" >"$dir/info.txt" 2>&1 &&
    grep -q "^  persistence   tfr 0.95, e0 0.99, net_migration 0$" "$dir/info.txt" &&
    grep -q "^  per person    tfr 0, e0 0, net_migration 3$" "$dir/info.txt" &&
    grep -q "^  size elasticity tfr 0, e0 0, net_migration 0.4$" "$dir/info.txt" &&
    grep -q "^  median aligned with the deterministic projection: factor [0-9.]* in 2100" \
        "$dir/info.txt" ||
    { echo "FAIL info: process parameters: $(grep -A2 persistence "$dir/info.txt")"; fail=1; }
"$popsim" info --json "$dir/usa.h5" | /usr/bin/python3 -c '
import json, sys
import h5py
loc = json.load(sys.stdin)["probabilistic"]["locations"][0]
assert len(loc["persistence"]) == 3 and abs(loc["persistence"][2] - 0.9424) < 1e-4, loc
with h5py.File(sys.argv[1], "r") as f:  # --json gives what the file records
    g = f["probabilistic/united_states_of_america"]
    for key, var in (("level_share", "process_level_share"), ("centring", "process_centring")):
        assert all(abs(a - b) < 1e-12 for a, b in zip(loc[key], g[var][0], strict=True)), loc
assert loc["level_share"][1:] == [0, 0] and len(loc["centring"]) == 3, loc
assert loc["per_person"] == [0, 0, 3], loc  # the medium migrants follow the size (round 11)
assert loc["size_elasticity"] == [0, 0, 0.4], loc  # and the deviation partly (rounds 13, 15)
with h5py.File(sys.argv[1], "r") as f:  # the median aligned (round 14): the factors of every year
    al = f["probabilistic/united_states_of_america/population_alignment"][:, 0]
assert loc["alignment"] == list(al), (loc["alignment"], al)
' "$dir/usa.h5" ||
    { echo "FAIL info --json: process parameters"; fail=1; }
# a file whose `process` coordinate is in another order is refused, not misread
cp "$dir/usa.h5" "$dir/swapped.h5"
/usr/bin/python3 -c '
import h5py, sys
with h5py.File(sys.argv[1], "r+") as f:
    f["probabilistic/united_states_of_america/process"][0:2] = ["e0", "tfr"]' "$dir/swapped.h5"
"$popsim" info "$dir/swapped.h5" >/dev/null 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "swapped.h5: error: dataset '.*/process': expected the coordinate \`process\` = tfr, e0, net_migration" "$dir/err" ||
    { echo "FAIL swapped process coordinate: $rc $(cat "$dir/err")"; fail=1; }
# a --variant run draws nothing: no process parameters
"$popsim" run --wpp-dir "$wpp" --location China --variant low --end 2030 -q -o "$dir/low.h5" ||
    { echo "FAIL --variant low"; fail=1; }
h5ls "$dir/low.h5/probabilistic/china" | grep -q "^process" &&
    { echo "FAIL --variant low records process parameters"; fail=1; }
"$popsim" info --json "$dir/low.h5" | /usr/bin/python3 -c '
import json, sys
loc = json.load(sys.stdin)["probabilistic"]["locations"][0]
assert loc["persistence"] is None and loc["alignment"] is None, loc' ||
    { echo "FAIL info --json of a --variant run: persistence not null"; fail=1; }
# the file says which age pattern of fertility a variant took (docs/model.md 9.9): China's
# own, Italy the medium's (the UN's pattern method does not give back its medium pattern)
"$popsim" info "$dir/low.h5" | grep -q "data_source .*China (M49 156), with the variant's age pattern of fertility.*; the low variant's TFR" ||
    { echo "FAIL --variant low: data_source of China"; fail=1; }
"$popsim" run --wpp-dir "$wpp" --location Italy --variant high --end 2030 -q -o "$dir/it.h5" &&
    "$popsim" info "$dir/it.h5" | grep -q "data_source .*Italy (M49 380), with the medium's age pattern of fertility (the UN's pattern method is [0-9.]* points off it); the high variant's TFR" ||
    { echo "FAIL --variant high: data_source of Italy"; fail=1; }
"$popsim" run --location China --variant middle -q -o "$dir/c.h5" 2>"$dir/err"
rc=$?
[ $rc -eq 2 ] && grep -q "low or high" "$dir/err" || { echo "FAIL --variant middle: $rc"; fail=1; }
"$popsim" run --location China --trajectories 0 -q -o "$dir/c.h5" 2>/dev/null
[ $? -eq 2 ] || { echo "FAIL --trajectories 0"; fail=1; }
"$popsim" run --wpp-dir "$wpp" --location Atlantis --trajectories 10 -q -o "$dir/c.h5" 2>"$dir/err"
rc=$?
[ $rc -eq 1 ] && grep -q "error" "$dir/err" && [ ! -e "$dir/c.h5" ] ||
    { echo "FAIL unknown location: $rc $(cat "$dir/err")"; fail=1; }
[ $fail -eq 0 ] && echo "prob_test: ok"
exit $fail
