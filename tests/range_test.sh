#!/usr/bin/env bash
# The response range (issue #12) from the outside: `popsim compare` prints each policy result
# as "chosen (low–high)", --json carries every preset, the file holds the range labelled for
# xarray with the chosen column equal to the scenario's attributes, and the report (English
# and Chinese) shows the policies' stated amounts and the range. Scenario:
# tests/data/good/range_cash.yaml. One group of checks per NAME, each in its own temporary
# folder; tests/range.cmake registers one CTest test cli_range_NAME per name.
# usage: range_test.sh --list
#        range_test.sh POPSIM_EXE PROJECT_ROOT [NAME]
set -u
names=(compare_text compare_json file_layout report_html)
source "$(dirname "$0")/groups.sh" 2 "POPSIM_EXE PROJECT_ROOT" "$@"
exe=$(realpath "$1"); root=$(realpath "$2")
source "$root/tests/testlib.sh" range
py=/usr/bin/python3
scn="$root/tests/data/good/range_cash.yaml"
expect run "$exe" run -q "$scn" -o range.h5

t_compare_text() {
  expect compare bash -c "'$exe' compare range.h5 > compare.txt"
  # Every policy variant has its line, with births gained and cost per birth as value (a–b).
  for v in reward subsidy subsidy_high; do
    expect "${v}_range_line" grep -Eq "^$v: response (default|high) \\(range of the low and high presets\\): -?[0-9]+ \\(-?[0-9]+–-?[0-9]+\\) births gained; [0-9]+ \\([0-9]+–[0-9]+\\) yuan per additional birth" compare.txt
  done
  expect baseline_has_no_range bash -c "! grep -q '^range_cash: response' compare.txt"
  # The value lies inside its range, which the file's low and high presets bound.
  expect value_inside_range $py - compare.txt <<'PY'
import re, sys
seen = 0
for line in open(sys.argv[1], encoding="utf-8"):
    m = re.match(r"^(\w+): response \w+ .*?: (-?\d+) \((-?\d+)–(-?\d+)\) births gained; (\d+) \((\d+)–(\d+)\)", line)
    if m:
        v, lo, hi, c, clo, chi = (int(x) for x in m.groups()[1:])
        assert lo <= v <= hi and lo < hi, line
        assert clo <= c <= chi, line
        seen += 1
assert seen == 3, seen
PY
  expect high_variant_at_top grep -Eq "^subsidy_high: response high .*: ([0-9]+) \\([0-9]+–\\1\\) births gained" compare.txt
}

t_compare_json() {
  expect compare_json bash -c "'$exe' compare --json range.h5 > compare.json"
  expect json_range $py - compare.json range.h5 <<'PY'
import json, sys, h5py
d = json.load(open(sys.argv[1], encoding="utf-8"))
f = h5py.File(sys.argv[2], "r")
by = {s["name"]: s for s in d["scenarios"]}
assert "response_range" not in by["range_cash"]
for name in ("reward", "subsidy", "subsidy_high"):
    r = by[name]["response_range"]
    assert r["projected"] is True
    lo, mid, hi = (r[p]["births_gained"] for p in ("low", "default", "high"))
    assert lo < mid < hi, (name, lo, mid, hi)
    chosen = r["chosen"]
    assert r[chosen]["births_gained"] == by[name]["births_gained_total"], name
    assert r[chosen]["cost_per_additional_birth"] == by[name]["cost_per_additional_birth"]
    g = f[f"scenarios/{name}/response"]
    for p, k in (("low", 0), ("default", 1), ("high", 2)):
        assert r[p]["cash_elasticity"] == g["cash_elasticity"][k]
        assert r[p]["cost_total"] == g["cost_total"][k]
assert by["subsidy_high"]["response_range"]["chosen"] == "high"
PY
}

t_file_layout() {
  expect xarray_labelled $py - range.h5 <<'PY'
import sys, h5py, numpy as np, xarray as xr
f = sys.argv[1]
ds = xr.open_dataset(f, group="scenarios/subsidy/response")
assert list(ds.elasticity.values) == ["low", "default", "high"], ds.elasticity.values
assert ds.births_gained.dims == ("elasticity",)
assert ds.attrs["chosen"] == "default"
h = h5py.File(f, "r")["scenarios/subsidy"]
assert ds.births_gained.sel(elasticity="default").item() == h.attrs["births_gained"]
assert ds.cost_per_additional_birth_window_discounted.sel(elasticity="default").item() == \
    h.attrs["cost_per_additional_birth_window_discounted"]
assert np.allclose(ds.cash_elasticity.values, [0.1, 0.3, 0.6])
st = xr.open_dataset(f, group="scenarios/subsidy/policy/child_subsidy")
terms = dict(zip(st.term.values, st.stated.values))
assert terms["amount_2"] == 678 and terms["amount_3"] == 789 and terms["max_age"] == 3, terms
assert terms["born_from"] == 2026 and terms["end_year"] == 2035 and terms["eligible_share"] == 0.85
base = h5py.File(f, "r")["scenarios/range_cash"]
assert "response" not in base
PY
  expect copies_with_h5copy h5copy -i range.h5 -o copy.h5 -s /scenarios/subsidy -d /copy
}

t_report_html() {
  for lang in en zh; do
    expect "report_$lang" "$exe" report -q range.h5 -o "report_$lang.html" --lang $lang
    expect "report_${lang}_stated_and_range" $py - "report_$lang.html" "$lang" <<'PY'
import re, sys
html = open(sys.argv[1], encoding="utf-8").read()
zh = sys.argv[2] == "zh"
pol = html[html.index('<table class="policies">'):]
pol = pol[:pol.index("</table>")]
# The amounts as the scenario states them: 0 / 678 / 789 a month, and 2,345 / 12,345 / 23,456.
assert "0 / 678 / 789" in pol and "2,345 / 12,345 / 23,456" in pol, pol
assert ("发放至孩子满3岁" if zh else "paid until the child is 3") in pol
assert ("2026年及以后出生" if zh else "children born from 2026") in pol
assert ("符合条件比例85%" if zh else "85 % eligible") in pol
assert ("2026–2035年" if zh else "2026–2035") in pol
# The response presets with their sources.
resp = html[html.index('<table class="response">'):]
resp = resp[:resp.index("</table>")]
assert "0.10" in resp and "0.30" in resp and "0.60" in resp and "Bergsvik" in resp
# The policy table: a range cell beside births gained and beside cost per birth, per variant.
table = html[html.index('<table class="policy">'):]
table = table[:table.index("</table>")]
cells = re.findall(r'<td class="range">([^<]*)</td>', table)
filled = [c for c in cells if "–" in c]
assert len(filled) == 6, cells  # 3 variants x (births gained, cost per birth)
PY
  done
}

"t_$only"
finish "range_$only"
