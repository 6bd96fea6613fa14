#!/usr/bin/env bash
# popsim info / targets / compare --json (issue #16): each prints one JSON document that
# Python's json module parses, with the schema of docs/json.md, and every number is checked
# against the HDF5 file (read with h5py), every input's SHA-256 against the file's bytes.
# One group of checks per NAME (info, targets, compare, odd_text, errors), each in its own
# temporary folder with the runs it needs; tests/cli.cmake registers one CTest test
# cli_json_outputs_NAME per name.
# usage: json_test.sh --list
#        json_test.sh POPSIM_EXE PROJECT_ROOT WPP_DIR [NAME]   (no NAME: every group)
set -u
names=(info targets compare odd_text errors)
source "$(dirname "$0")/groups.sh" 3 "POPSIM_EXE PROJECT_ROOT WPP_DIR" "$@"
exe=$(realpath "$1"); root=$(realpath "$2"); wpp=$3
py=/usr/bin/python3
tmp=$(mktemp -d /tmp/popsim_json_XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export POPSIM_CACHE_DIR="$tmp/cache" POPSIM_DATA_DIR="$wpp"
cd "$tmp" || exit 1
pass=0; fail=0
expect() { local name=$1; shift; if "$@" >"$tmp/out" 2>&1; then pass=$((pass + 1));
  else fail=$((fail + 1)); echo "FAIL $name"; sed 's/^/    /' "$tmp/out" | head -12; fi; }

# The results and their JSON documents: need city|family ...
need() {
  local f scn
  for f in "$@"; do
    case $f in city) scn=example_city ;; family) scn=china_policies ;; esac
    expect "run_$f" "$exe" run -q "$root/scenarios/$scn.yaml" -o "$tmp/$f.h5"
    for cmd in info targets compare; do
      expect "${cmd}_json_$f" bash -c "'$exe' $cmd --json '$tmp/$f.h5' > '$tmp/$f.$cmd.json'"
    done
  done
}

t_info() {
need city family
# info: provenance attributes, /provenance rows (with their files' SHA-256), per-year totals.
expect info_values $py - "$tmp" <<'PY'
import sys, json, hashlib, h5py, numpy as np
tmp = sys.argv[1]
for name, want_source in [("city", "planner file"), ("family", "UN WPP 2024")]:
    d = json.load(open(f"{tmp}/{name}.info.json"))
    f = h5py.File(f"{tmp}/{name}.h5", "r")
    assert d["schema"] == "popsim-info/1", d["schema"]
    for k, v in d["provenance"].items():
        a = f.attrs[k]
        assert v == (a.decode() if isinstance(a, bytes) else a), k
    p = f["provenance"]
    rows = d["inputs"]
    assert len(rows) == p["kind"].shape[0] >= 5, len(rows)
    kinds = [r["kind"] for r in rows]
    assert "population" in kinds and "SRB" in kinds, kinds
    for i, r in enumerate(rows):
        for col in ("kind", "source", "detail", "path", "sha256"):
            assert r[col] == p[col][i].decode(), (col, i)
        if r["source"] == "planner file":
            assert r["sha256"] == hashlib.sha256(open(r["path"], "rb").read()).hexdigest(), r
        else:
            assert r["path"] == "" and r["sha256"] == "", r
    assert {r["source"] for r in rows} == {want_source}, (name, {r["source"] for r in rows})
    assert [s["name"] for s in d["scenarios"]] == list(f["scenarios"])
    for s in d["scenarios"]:
        g = f["scenarios"][s["name"]]
        pop = g["population"][()]                      # year, region, sex, age
        assert s["year"] == list(g["year"][()]), s["name"]
        assert np.allclose(s["population"], pop.sum(axis=(1, 2, 3)), rtol=1e-12, atol=0)
        births = g["births"][()].sum(axis=(1, 2))      # year, region, sex
        got = np.array([np.nan if v is None else v for v in s["births"]])
        assert np.allclose(got, births, rtol=1e-12, atol=0, equal_nan=True)
        for k, reg in enumerate(s["regions"]):
            tfr = np.array([np.nan if v is None else v for v in reg["tfr"]])
            assert np.array_equal(tfr, g["tfr"][()][:, k], equal_nan=True), reg["name"]
        if s["baseline"] is not None:
            assert s["baseline"] == g.attrs["baseline"], s["name"]
            assert s["cost_per_additional_birth"] == g.attrs["cost_per_additional_birth"]
print("ok")
PY
}

t_targets() {
need city family
# targets: demand, capacity and gap (= surplus - shortage) summed over regions, status per year.
expect targets_values $py - "$tmp" <<'PY'
import sys, json, h5py, numpy as np
tmp = sys.argv[1]
arr = lambda v: np.array([np.nan if x is None else x for x in v], float)
n = 0
for name in ("city", "family"):
    d = json.load(open(f"{tmp}/{name}.targets.json"))
    f = h5py.File(f"{tmp}/{name}.h5", "r")
    assert d["schema"] == "popsim-targets/1"
    for s in d["scenarios"]:
        for sv in s["services"]:
            g = f["scenarios"][s["name"]]["services"][sv["name"]]
            assert sv["title"] == g.attrs["title"] and sv["kind"] == g.attrs["kind"]
            assert np.allclose(arr(sv["demand"]), g["demand"][()].sum(axis=1), rtol=1e-12)
            if sv["has_target"]:
                gap = (g["surplus"][()] - g["shortage"][()]).sum(axis=1)
                assert np.allclose(arr(sv["gap"]), gap, rtol=1e-12, atol=1e-9), sv["name"]
                assert np.allclose(arr(sv["capacity"]), g["capacity"][()].sum(axis=1), rtol=1e-12)
                want = ["short" if x <= -0.5 else "met" for x in gap]
                assert sv["status"] == want, sv["name"]
                assert sv["all_met"] == all(w == "met" for w in want)
            else:
                assert set(sv["status"]) == {None}, sv["status"]
            n += 1
assert n >= 5, n
print("ok", n)
PY
}

t_compare() {
need family
# compare: births and TFR by range, policy totals, service rows at the range boundaries.
expect compare_values $py - "$tmp" <<'PY'
import sys, json, h5py, numpy as np
tmp = sys.argv[1]
d = json.load(open(f"{tmp}/family.compare.json"))
f = h5py.File(f"{tmp}/family.h5", "r")
assert d["schema"] == "popsim-compare/1"
assert len(d["scenarios"]) == len(f["scenarios"]) >= 2
for s in d["scenarios"]:
    g = f["scenarios"][s["name"]]
    years = g["year"][()]
    births = g["births"][()].sum(axis=(1, 2))
    for r in s["ranges"]:
        sel = (years >= r["first"]) & (years <= r["last"])
        assert np.isclose(r["births"], births[sel].sum(), rtol=1e-12), (s["name"], r)
        assert np.isclose(r["tfr_mean"], g["tfr"][()][sel].mean(), rtol=1e-12), (s["name"], r)
    if "policy" in g:
        gained = g["policy"]["births_gained"][()].sum(axis=1)
        whole = s["ranges"][-1]
        sel = (years >= whole["first"]) & (years <= whole["last"])
        assert np.isclose(whole["births_gained"], gained[sel].sum(), rtol=1e-9), s["name"]
        assert s["births_gained_total"] == g.attrs["births_gained"]
        assert s["cost_total"] == g.attrs["cost_total"]
        assert whole["cost_yuan"] > 0 and whole["cost_per_additional_birth"] > 0
        if "cost_by_payer" in s:  # issue #12: the payers' parts add up to the cost
            assert np.isclose(sum(s["cost_by_payer"].values()), s["cost_total"], rtol=1e-12)
    else:
        assert all(r["births_gained"] is None for r in s["ranges"])
rows = 0
for sv in d["services"]:
    for r in sv["rows"]:
        g = f["scenarios"][r["scenario"]]
        y = int(np.nonzero(g["year"][()] == r["year"])[0][0])
        dem = g["services"][sv["name"]]["demand"][()][y].sum()
        assert np.isclose(r["demand"], dem, rtol=1e-12), (sv["name"], r)
        rows += 1
assert rows >= 10, rows
print("ok", rows)
PY
}

t_odd_text() {
need city
# Text that is not UTF-8 or holds control characters still gives valid JSON.
cp "$tmp/city.h5" "$tmp/odd.h5"
expect odd_title $py - "$tmp/odd.h5" <<'PY'
import sys, h5py
with h5py.File(sys.argv[1], "r+") as f:
    g = f["scenarios/example_city"]
    del g.attrs["title"]
    g.attrs.create("title", b'quote " backslash \\ tab \t bell \x07 bad \xff end')
PY
expect odd_title_json bash -c "'$exe' info --json '$tmp/odd.h5' | $py -c '
import json, sys
t = json.load(sys.stdin)[\"scenarios\"][0][\"title\"]
assert t == \"quote \\\" backslash \\\\ tab \\t bell \\x07 bad \\ufffd end\", repr(t)'"
}

t_errors() {
# Errors: a missing file is located on stderr and nothing is printed on stdout.
expect missing_file bash -c "! '$exe' info --json '$tmp/none.h5' > '$tmp/none.out' 2>'$tmp/none.err' && [[ ! -s '$tmp/none.out' ]] && grep -q 'none.h5' '$tmp/none.err'"
}

"t_$only"
echo "json_test $only: $pass passed, $fail failed"
[[ $fail -eq 0 && $pass -gt 0 ]]
