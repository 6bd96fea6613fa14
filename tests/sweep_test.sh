#!/usr/bin/env bash
# cli_sweep (tests/sweep.cmake): a sweep against the same variants by hand, summary output,
# xarray, compare, a Latin hypercube, the size refusal, --estimate and a bad key path.
# One group of checks per NAME, each in its own temporary folder with the runs it needs;
# tests/sweep.cmake registers one CTest test cli_sweep_NAME per name.
# usage: sweep_test.sh --list
#        sweep_test.sh POPSIM_EXE PROJECT_ROOT [NAME]   (no NAME: every group)
set -u
names=(by_hand summary xarray compare latin_hypercube too_large estimate bad_key)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE PROJECT_ROOT" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
source "$root/tests/testlib.sh" sweep
py=/usr/bin/python3
good="$root/tests/data/good"

# The sweep (every point also written in full) and the same variants by hand.
run_sweep() {
  expect run_sweep "$exe" run -q "$good/sweep_grid.yaml" -o "$tmp/sweep.h5"
}
run_hand() {
  expect run_by_hand "$exe" run -q "$good/sweep_by_hand.yaml" -o "$tmp/hand.h5"
}
# member_output: summary (the default), with absolute data paths.
summary_yaml() {
  sed 's/member_output: full/member_output: summary/' "$good/sweep_grid.yaml" >"$tmp/summary.yaml"
  sed -i "s|\.\./\.\./\.\./data/|$root/data/|" "$tmp/summary.yaml"
}
run_summary() {
  summary_yaml
  expect run_summary "$exe" run -q "$tmp/summary.yaml" -o "$tmp/summary.h5"
}
# More points than PS_RUN_MAX_MEMBERS (120).
big_yaml() {
  summary_yaml
  cat "$tmp/summary.yaml" >"$tmp/big.yaml"
  sed -i 's/      steps: 2/      steps: 40/' "$tmp/big.yaml"
}

t_by_hand() {
run_sweep
run_hand
for k in 0 1 2 3 4 5; do
  expect "point_${k}_equals_by_hand" h5diff "$tmp/hand.h5" "$tmp/sweep.h5" \
    "/scenarios/sweep_0000$k" "/scenarios/sweep_0000$k"
done
expect same_baseline h5diff "$tmp/hand.h5" "$tmp/sweep.h5" /scenarios/sweep_grid /scenarios/sweep_grid
}

t_summary() {
run_sweep
run_summary
expect summary_same_rows h5diff "$tmp/sweep.h5" "$tmp/summary.h5" /sweep /sweep
expect summary_no_point_groups bash -c "! h5ls '$tmp/summary.h5/scenarios' | grep -q sweep_0"
}

t_xarray() {
run_hand
run_summary
# xarray opens /sweep labelled, and its rows are the by-hand groups' figures.
expect xarray_labelled $py - "$tmp/summary.h5" "$tmp/hand.h5" <<'PY'
import sys, h5py, numpy as np, xarray as xr
ds = xr.open_dataset(sys.argv[1], group="sweep")
assert ds.sizes["sweep"] == 6 and ds.sizes["lever"] == 6, ds.sizes
for c in ("member", "policies_subsidy_second", "response_cash_elasticity"):
    assert c in ds.births_gained.coords, (c, list(ds.births_gained.coords))
assert list(ds.policies_subsidy_second.values) == [0, 0, 300, 300, 900, 900]
assert np.allclose(ds.response_cash_elasticity.values, [0.1, 0.6] * 3)
assert ds.policies_subsidy_second.attrs["key"] == "policies[subsidy].second"
hand = h5py.File(sys.argv[2], "r")
for k in range(6):
    g = hand[f"scenarios/sweep_{k:05d}"]
    assert np.isclose(ds.births_gained.values[k], g.attrs["births_gained"], rtol=1e-12), k
    assert np.isclose(ds.cost_per_additional_birth.values[k],
                      g.attrs["cost_per_additional_birth"], rtol=1e-12), k
    m = ds.cost_by_lever.sel(lever="monthly_subsidy").values[k]
    assert np.isclose(m, np.nansum(g["policy/subsidy/cost"][...]), rtol=1e-9), (k, m)
print("ok")
PY
}

t_compare() {
run_summary
# compare: ranking by cost per additional birth, and the frontier.
expect compare_table bash -c "'$exe' compare '$tmp/summary.h5' > '$tmp/compare.txt'"
expect compare_names_frontier grep -q "Frontier of births gained against cost" "$tmp/compare.txt"
expect compare_json bash -c "'$exe' compare --json '$tmp/summary.h5' > '$tmp/compare.json'"
expect compare_json_ranked $py - "$tmp/compare.json" "$tmp/summary.h5" <<'PY'
import sys, json, h5py, numpy as np
d = json.load(open(sys.argv[1]))
assert d["schema"] == "popsim-compare-sweep/1"
f = h5py.File(sys.argv[2], "r")["sweep"]
cpb = f["cost_per_additional_birth"][...]
assert [p["point"] for p in d["ranked"]] == list(np.argsort(cpb, kind="stable")), d["ranked"]
cost, births = f["cost"][...], f["births_gained"][...]
front = [p["point"] for p in d["frontier"]]
# no frontier point is dominated; every other point is
for p in range(len(cost)):
    dominated = any(cost[q] <= cost[p] and births[q] >= births[p] and
                    (cost[q] < cost[p] or births[q] > births[p]) for q in range(len(cost)))
    assert (p in front) == (not dominated), (p, front)
assert list(f["on_frontier"][...]) == [int(p in front) for p in range(len(cost))]
print("ok")
PY
}

t_latin_hypercube() {
summary_yaml
# A Latin hypercube: its seed and points reach the file and compare.
sed '/^sweep:/,$d' "$tmp/summary.yaml" >"$tmp/lhs.yaml"
cat >>"$tmp/lhs.yaml" <<'YAML'
sweep:
  base: subsidy
  design: latin_hypercube
  points: 7
  seed: 99
  dimensions:
    - key: policies[subsidy].second
      range: [0, 900]
YAML
expect run_lhs "$exe" run -q "$tmp/lhs.yaml" -o "$tmp/lhs.h5"
expect compare_lhs_json bash -c "'$exe' compare --json '$tmp/lhs.h5' > '$tmp/lhs.json'"
expect lhs_seed_and_strata $py - "$tmp/lhs.json" <<'PY'
import sys, json
d = json.load(open(sys.argv[1]))
assert d["design"] == "latin_hypercube" and d["seed"] == 99, (d["design"], d["seed"])
assert len(d["ranked"]) == 7
strata = sorted(int(p["values"][0] / 900 * 7) for p in d["ranked"])
assert strata == list(range(7)), strata
print("ok")
PY
}

t_too_large() {
big_yaml
expect big_refused status_is 1 bash -c "'$exe' run -q '$tmp/big.yaml' -o '$tmp/big.h5' 2> '$tmp/big.err'"
expect big_located grep -q "big.yaml:[0-9]*:[0-9]*: error: sweep: 120 points" "$tmp/big.err"
expect big_no_file test ! -e "$tmp/big.h5"
expect big_allowed "$exe" run -q --allow-large "$tmp/big.yaml" -o "$tmp/big.h5"
}

t_estimate() {
big_yaml
# --estimate counts a summary sweep's points at their compact size (issue #15, sec. 4): 120
# summary points need less than 6 points kept in full, and more than 6 summary points.
mem() { "$exe" run -q --allow-large --estimate "$1" | awk -F= '$1 == "memory_bytes" {print $2}'; }
sed "s|\.\./\.\./\.\./data/|$root/data/|" "$good/sweep_grid.yaml" >"$tmp/full.yaml"
m_big=$(mem "$tmp/big.yaml"); m_small=$(mem "$tmp/summary.yaml"); m_full=$(mem "$tmp/full.yaml")
echo "estimate: 120 summary points $m_big B, 6 summary points $m_small B, 6 full points $m_full B"
expect estimate_sweep_numbers bash -c "[[ '$m_big' =~ ^[0-9]+\$ && '$m_small' =~ ^[0-9]+\$ && '$m_full' =~ ^[0-9]+\$ ]]"
expect estimate_sweep_compact_below_full test "${m_big:-0}" -lt "${m_full:-0}"
expect estimate_sweep_counts_points test "${m_big:-0}" -gt "${m_small:-0}"
}

t_bad_key() {
summary_yaml
# A bad key path: file:line:col, exit 1.
sed 's/policies\[subsidy\].second/policies[subsidy].secnd/' "$tmp/summary.yaml" >"$tmp/bad.yaml"
expect bad_key status_is 1 bash -c "'$exe' check '$tmp/bad.yaml' 2> '$tmp/bad.err'"
expect bad_key_located grep -q "bad.yaml:[0-9]*:[0-9]*: error: sweep.dimensions\[0\].key = 'policies\[subsidy\].secnd' names no numeric key" "$tmp/bad.err"
}

"t_$only"
finish "cli_sweep $only"
